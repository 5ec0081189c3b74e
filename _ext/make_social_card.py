"""Render _static/social-card.png (1200×630, the Open Graph image) from _static/logo.svg.

Run by hand after changing the logo or the title (needs Chromium and a CJK font, as the
browser tests do): ``.venv/bin/python _ext/make_social_card.py``. The PNG is committed.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
TITLE = "深度学习基本原理<br>和网络搭建"
SUBTITLE = "神经元 · 激活函数 · 参数初始化<br>用 PyTorch 搭建并训练网络"

PAGE = f"""<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<body style="margin:0;width:1200px;height:630px;display:flex;align-items:center;gap:56px;
  padding:0 80px;box-sizing:border-box;background:#f5f8fc;
  font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;color:#1f2d3d">
<img src="data:image/svg+xml;base64,{{logo}}" width="260" height="260">
<div><div style="font-size:64px;font-weight:700;line-height:1.3">{TITLE}</div>
<div style="font-size:32px;line-height:1.5;margin-top:32px;color:#3d5a80">{SUBTITLE}</div>
</div></body></html>"""


def main() -> None:
    import base64

    logo = base64.b64encode((ROOT / "_static" / "logo.svg").read_bytes()).decode()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 630})
        page.set_content(PAGE.replace("{logo}", logo))
        page.screenshot(path=str(ROOT / "_static" / "social-card.png"))
        browser.close()


if __name__ == "__main__":
    main()
