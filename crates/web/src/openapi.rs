//! The OpenAPI document of `/api/v1` (hand-written; a test checks it lists every API route).

use axum::Json;
use serde_json::{Value, json};

fn op(summary: &str, params: Value, schema: Value) -> Value {
    json!({
        "summary": summary,
        "security": [{ "session": [] }],
        "parameters": params,
        "responses": {
            "200": { "description": "OK", "content": { "application/json": { "schema": schema } } },
            "401": { "$ref": "#/components/responses/Error" },
            "403": { "$ref": "#/components/responses/Error" },
            "404": { "$ref": "#/components/responses/Error" }
        }
    })
}

fn path_param(name: &str, desc: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": desc, "schema": { "type": "string", "format": "uuid" } })
}

/// The document.
pub fn spec() -> Value {
    let cid = path_param("cid", "company id");
    let eid = path_param("eid", "employment id");
    let evid = path_param("evid", "event id");
    let obj = |r: &str| json!({ "$ref": format!("#/components/schemas/{r}") });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "iphr API",
            "version": "1",
            "description": "産業保健PHR iphr の JSON API。ページと同じセッション認証と取扱規程(アクセスポリシー)が適用され、健康情報の読み取りと拒否はすべて監査ログに記録されます。 / The JSON API of iphr: same session and access policy as the pages; every read of health data and every refusal is audited."
        },
        "paths": {
            "/api/v1/me": { "get": op("ログイン中のユーザー / the current user", json!([]), obj("Me")) },
            "/api/v1/companies": { "get": op("閲覧できる事業者 / companies the user may see", json!([]), json!({ "type": "array", "items": obj("Company") })) },
            "/api/v1/companies/{cid}/workers": { "get": op(
                "労働者の検索 (氏名・カナ・社員番号) / search workers",
                json!([cid, { "name": "q", "in": "query", "schema": { "type": "string" } }, { "name": "page", "in": "query", "schema": { "type": "integer", "minimum": 1 } }]),
                obj("WorkerPage")) },
            "/api/v1/companies/{cid}/workers/{eid}": { "get": op(
                "労働者の基本情報とタイムライン (ポリシーで許可された範囲) / header and timeline as the policy allows",
                json!([cid, eid]), obj("Worker")) },
            "/api/v1/companies/{cid}/workers/{eid}/events/{evid}": { "get": op(
                "イベントの詳細 (内容の情報区分が拒否される場合は403) / one event; 403 where its content class is denied",
                json!([cid, eid, evid]), obj("EventDetail")) },
            "/api/v1/companies/{cid}/workers/{eid}/observations": { "get": op(
                "1項目の時系列 (項目の情報区分が拒否される場合は403) / one OHCC item over time; 403 where its class is denied",
                json!([cid, eid, { "name": "item", "in": "query", "required": true, "description": "OHCC item code (10 characters)", "schema": { "type": "string", "pattern": "^[A-Z][a-z][0-9]{7}[A-Z]$" } }]),
                json!({ "type": "array", "items": obj("SeriesPoint") })) },
            "/api/v1/companies/{cid}/postcheckup": { "get": op(
                "事後措置ダッシュボード (件数と各区分の一覧; class 2) / post-checkup dashboard: counts and section lists",
                json!([cid, { "name": "section", "in": "query", "schema": { "type": "string", "enum": ["panic", "referral", "opinion_due", "followup", "niji", "stratification"] } }]),
                obj("Dashboard")) },
            "/api/v1/companies/{cid}/work-status": { "get": op(
                "特殊健診の期限 (期限切れ・30日以内) と作業環境の最新結果 (work class) / special checkups overdue or due soon, latest work-environment results",
                json!([cid]),
                json!({ "type": "object", "properties": { "special_due": { "type": "array", "items": { "type": "object" } }, "work_environment": { "type": "array", "items": { "type": "object" } } } })) },
            "/api/v1/companies/{cid}/checkups/{evid}/judgement": { "get": op(
                "健診の判定・提案・期限・経過 / a checkup's judgement, proposals, deadlines and steps",
                json!([cid, evid]), obj("Checkup")) },
            "/api/v1/companies/{cid}/checkups/{evid}/steps": { "post": op(
                "事後措置の記録 (JSON step; X-CSRF-Token; 就業区分は産業医のみ) / record a step (the 就業区分: physician only)",
                json!([cid, evid, { "name": "X-CSRF-Token", "in": "header", "required": true, "schema": { "type": "string" } }]),
                json!({ "type": "object", "properties": { "event_id": { "type": "string" }, "stage": { "type": "string" } } })) },
            "/api/v1/companies/{cid}/measures": { "get": op(
                "就業上の措置 (class 1 のみ; 人事向け) / employment measures, class 1 only (the HR view)",
                json!([cid, { "name": "pending", "in": "query", "schema": { "type": "string", "enum": ["1"] } }]),
                json!({ "type": "array", "items": { "type": "object" } })) },
            "/api/v1/companies/{cid}/judgements": { "get": op(
                "判定のエクスポート (iphr export judgements と同じ) / the judgement export",
                json!([cid, { "name": "format", "in": "query", "schema": { "type": "string", "enum": ["csv", "json"] } }, { "name": "latest", "in": "query", "schema": { "type": "string", "enum": ["1"] } }]),
                json!({ "type": "array", "items": { "type": "object" } })) },
            "/api/v1/companies/{cid}/judge": { "post": op(
                "判定の再実行 (産業医・保健師; X-CSRF-Token) / re-run the rules (physician or nurse)",
                json!([cid, { "name": "X-CSRF-Token", "in": "header", "required": true, "schema": { "type": "string" } }]),
                json!({ "type": "object", "description": "judged, new, changed, unchanged, overall and urgent counts, timings" })) }
        },
        "components": {
            "securitySchemes": { "session": { "type": "apiKey", "in": "cookie", "name": "iphr_session" } },
            "responses": { "Error": { "description": "error", "content": { "application/json": { "schema": obj("Error") } } } },
            "schemas": {
                "Error": { "type": "object", "required": ["error", "message"], "properties": { "error": { "type": "string" }, "message": { "type": "string" } } },
                "Me": { "type": "object", "properties": { "login": { "type": "string" }, "display_name": { "type": "string" }, "role": { "type": "string", "enum": ["physician", "nurse", "health_manager", "hr", "worker", "admin"] }, "companies": { "type": "array", "items": { "type": "string" } }, "person_id": { "type": ["string", "null"] } } },
                "Company": { "type": "object", "properties": { "id": { "type": "string" }, "name": { "type": "string" } } },
                "WorkerRow": { "type": "object", "properties": { "company_id": { "type": "string" }, "employment_id": { "type": "string" }, "person_id": { "type": "string" }, "employee_number": { "type": "string" }, "name": { "type": "string" }, "kana": { "type": "string" }, "sex": { "type": "string" }, "birth_date": { "type": "string", "format": "date" }, "department": { "type": ["string", "null"] }, "leave_date": { "type": ["string", "null"], "format": "date" } } },
                "WorkerPage": { "type": "object", "properties": { "rows": { "type": "array", "items": obj("WorkerRow") }, "total": { "type": "integer" } } },
                "Observation": { "type": "object", "properties": { "ohcc": { "type": "string", "description": "13-character OHCC" }, "name": { "type": "string" }, "value": { "type": "string" }, "number": { "type": ["number", "null"] }, "unit": { "type": "string" }, "info_class": { "type": "string" }, "source_code": { "type": ["string", "null"] }, "raw_value": { "type": ["string", "null"] }, "source_doc": { "type": ["string", "null"] }, "table_version": { "type": "string" } } },
                "TimelineEntry": { "type": "object", "properties": { "event_id": { "type": "string" }, "date": { "type": "string", "format": "date" }, "kind": { "type": "string" }, "kind_label": { "type": "string" }, "subkind": { "type": ["string", "null"] }, "title": { "type": "string" }, "content_class": { "type": "string" }, "shown": { "type": "string", "enum": ["full", "processed", "hidden"] }, "detail": {}, "observations": { "type": "array", "items": obj("Observation") }, "withheld": { "type": "integer" } } },
                "Header": { "type": "object", "description": "identity and work status" },
                "Worker": { "type": "object", "properties": { "header": obj("Header"), "timeline": { "type": "array", "items": obj("TimelineEntry") } } },
                "EventDetail": { "type": "object", "properties": { "header": obj("Header"), "event": obj("TimelineEntry") } },
                "Dashboard": { "type": "object", "properties": { "company_id": { "type": "string" }, "company_name": { "type": "string" }, "today": { "type": "string", "format": "date" }, "counts": { "type": "object" }, "sections": { "type": "array", "items": { "type": "object" } } } },
                "Checkup": { "type": "object", "description": "items with category, unit, verified flag, edition and source; urgent hits; proposals; deadlines; steps" },
                "SeriesPoint": { "type": "object", "properties": { "date": { "type": "string", "format": "date" }, "event_id": { "type": "string" }, "observation": obj("Observation") } }
            }
        }
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(spec())
}
