-- 労働時間制度 of an assignment (研究開発業務 / 高度プロフェッショナル / general): the long-hours
-- rules differ by it (安衛法66条の8の2, 66条の8の4; 労基法36条11項, 41条の2).
ALTER TABLE assignments ADD COLUMN work_regime TEXT NOT NULL DEFAULT 'general';
