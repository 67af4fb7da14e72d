"""Public ledger API: checkpoints, the public key and proofs need no login (anyone may hold
the agency to its history); an event's contents need a logged-in user in scope."""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from zhifa.ledger import selectors, services, signing

router = Router(tags=["全过程记录账本"])

MAX_INT = 2**62


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})


def _int(request: HttpRequest, name: str) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        raise ValueError(f"缺少参数 {name}，请提供一个非负整数。")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ValueError(f"参数 {name}=“{raw[:30]}”不是合法的非负整数。")
    return int(raw)


@router.get("/checkpoint", summary="最新签名检查点（C2SP signed note，纯文本）")
def checkpoint(request: HttpRequest):
    latest = selectors.latest_checkpoint()
    if latest is None or latest.tree_size < selectors.tree_size():
        latest = services.checkpoint_sign() or latest
    if latest is None:
        return JsonResponse(
            {"detail": "账本尚无任何记录，暂无检查点。"},
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    return HttpResponse(latest.note, content_type="text/plain; charset=utf-8")


@router.get("/public-key", summary="检查点签名公钥")
def public_key(request: HttpRequest):
    key = signing.server_key().public
    return {
        "origin": key.name,
        "algorithm": "Ed25519",
        "key_id": key.key_id.hex(),
        "public_key": base64.b64encode(key.raw).decode(),
        "verifier_key": key.verifier_key,
    }


@router.get("/proof/inclusion", summary="包含证明（RFC 9162 §2.1.3）")
def inclusion(request: HttpRequest):
    try:
        index, size = _int(request, "index"), _int(request, "size")
        path = selectors.inclusion_proof(index, size)
    except ValueError as exc:
        return _bad(str(exc))
    return {
        "leaf_index": index,
        "tree_size": size,
        "leaf_hash": selectors.leaf_hash_at(index).hex(),
        "audit_path": [h.hex() for h in path],
    }


@router.get("/proof/consistency", summary="一致性证明（RFC 9162 §2.1.4）")
def consistency(request: HttpRequest):
    try:
        first, second = _int(request, "first"), _int(request, "second")
        path = selectors.consistency_proof(first, second)
    except ValueError as exc:
        return _bad(str(exc))
    return {"first": first, "second": second, "consistency_path": [h.hex() for h in path]}


@router.get("/events/{seq}", summary="事件内容（需登录且在权限范围内）")
def event(request: HttpRequest, seq: str):
    if not seq.isascii() or not seq.isdigit() or len(seq) > 18:
        return _bad(f"事件序号“{seq[:30]}”不是合法的非负整数。")
    found = selectors.event_for_user(request.user, int(seq))
    if found is None:
        # Same answer for "absent" and "not yours", so scope does not leak existence.
        return JsonResponse(
            {"detail": "没有找到该事件，或您无权查看。"},
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    services.record_view(
        request.user, found.subject, what=f"ledger.event:{found.seq}", agency=found.agency_id
    )
    return {
        "seq": found.seq,
        "kind": found.kind,
        "subject": found.subject,
        "agency_id": found.agency_id,
        "actor_id": found.actor_id,
        "time": found.time.isoformat(),
        "payload": found.payload,
        "corrects": found.corrects_id,
        "leaf_hash": bytes(found.leaf_hash).hex(),
        "canonical": base64.b64encode(bytes(found.canonical)).decode(),
    }
