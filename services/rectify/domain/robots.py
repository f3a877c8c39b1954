"""A digest as the message a town's group robot takes: 企业微信 or 钉钉 markdown, or plain JSON.

Both robots take a JSON body with `msgtype: markdown`; 企业微信 wants `markdown.content`, 钉钉
`markdown.title` and `markdown.text`. The text holds the owner's name (a village or a unit), counts
and links: one URL per town can serve every owner, and nothing in it names a person.
"""

from __future__ import annotations

from typing import Any

from lookback.calendar import Period
from lookback.contracts.digests import DigestComposed, WebhookFormat, count_labels


def title(digest: DigestComposed) -> str:
    if digest.kind == "period_end" and digest.period:
        return f"{digest.owner} {Period.parse(digest.period).label}结束提醒（{digest.day.isoformat()}）"
    return f"{digest.owner} 今日提醒（{digest.day.isoformat()}）"


def counts(digest: DigestComposed) -> dict[str, int]:
    return {key: int(getattr(digest, key)) for key, _ in count_labels(digest.owner_kind)}


def markdown(digest: DigestComposed, base_url: str) -> str:
    lines = [f"### {title(digest)}"]
    for key, label in count_labels(digest.owner_kind):
        n = getattr(digest, key)
        link = digest.links.get(key)
        text = f"{label}：{n} 件"
        lines.append(f"- [{text}]({base_url}{link})" if link and n else f"- {text}")
    return "\n".join(lines)


def message(digest: DigestComposed, fmt: WebhookFormat, base_url: str) -> dict[str, Any]:
    """The request body; `base_url` is the workbench's address as people open it (links are paths)."""
    if fmt == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": markdown(digest, base_url)}}
    if fmt == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title(digest), "text": markdown(digest, base_url)}}
    return {
        "title": title(digest),
        "owner_kind": digest.owner_kind,
        "owner": digest.owner,
        "day": digest.day.isoformat(),
        "kind": digest.kind,
        "period": digest.period,
        "counts": counts(digest),
        "links": {k: base_url + v for k, v in digest.links.items()},
    }
