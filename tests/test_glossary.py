"""The glossary (``appendix/glossary.md``) and the ``{term}`` links of the chapters.

The page is one MyST ``glossary`` directive: each entry is one or more term lines (the course's
name, then other names a reader may look up, e.g. ``ReLU`` / ``线性整流单元``) followed by an
indented definition that starts with the English term and, where d2l-zh uses another Chinese
name, gives it.
Entries are sorted by pinyin; Latin names (Adam, ReLU, softmax) sort by their letters among the
pinyin. No pinyin library is installed, so the sort key of each entry's first term is kept by hand
in ``PINYIN`` below (toneless syllables separated by spaces): add a line there when you add an
entry. Every ``{term}`` in a chapter must name a term of the page (the ``-W -n`` build fails too),
and every entry must be linked from at least one chapter.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from stub_book import sphinx_build

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "appendix" / "glossary.md"
#: Every page under chapters/: the chapter pages (index.md) and their section notebooks.
CHAPTERS = sorted((ROOT / "chapters").rglob("*.ipynb")) + sorted((ROOT / "chapters").rglob("*.md"))

PINYIN = {
    "Adam": "adam",
    "饱和": "bao he",
    "贝叶斯决策边界": "bei ye si jue ce bian jie",
    "贝叶斯准确率": "bei ye si zhun que lv",
    "表格数据": "biao ge shu ju",
    "标准差": "biao zhun cha",
    "标准化": "biao zhun hua",
    "标准误差": "biao zhun wu cha",
    "不动点": "bu dong dian",
    "残差连接": "can cha lian jie",
    "参数初始化": "can shu chu shi hua",
    "测试集": "ce shi ji",
    "超参数": "chao can shu",
    "乘加": "cheng jia",
    "次梯度": "ci ti du",
    "打破对称": "da po dui chen",
    "DataLoader": "dataloader",
    "动量": "dong liang",
    "动作电位": "dong zuo dian wei",
    "dropout": "dropout",
    "多层感知机": "duo ceng gan zhi ji",
    "ELU": "elu",
    "二分类": "er fen lei",
    "二元交叉熵": "er yuan jiao cha shang",
    "泛化": "fan hua",
    "反向传播": "fan xiang chuan bo",
    "方差": "fang cha",
    "仿射变换": "fang she bian huan",
    "非线性": "fei xian xing",
    "分层划分": "fen ceng hua fen",
    "分段线性函数": "fen duan xian xing han shu",
    "感知机": "gan zhi ji",
    "GELU": "gelu",
    "钩子": "gou zi",
    "过拟合": "guo ni he",
    "黑箱": "hei xiang",
    "混淆矩阵": "hun xiao ju zhen",
    "激活函数": "ji huo han shu",
    "间隔": "jian ge",
    "交叉熵损失": "jiao cha shang sun shi",
    "解耦权重衰减": "jie ou quan zhong shuai jian",
    "阶跃函数": "jie yue han shu",
    "卷积神经网络": "juan ji shen jing wang luo",
    "决策边界": "jue ce bian jie",
    "均方误差": "jun fang wu cha",
    "Kaiming 初始化": "kaiming chu shi hua",
    "可解释性": "ke jie shi xing",
    "Leaky ReLU": "leaky relu",
    "链式法则": "lian shi fa ze",
    "logit": "logit",
    "轮次": "lun ci",
    "逻辑回归": "luo ji hui gui",
    "门控": "men kong",
    "模块": "mo kuai",
    "one-hot": "one-hot",
    "批归一化": "pi gui yi hua",
    "批量": "pi liang",
    "偏置": "pian zhi",
    "平移不变性": "ping yi bu bian xing",
    "PReLU": "prelu",
    "前馈网络": "qian kui wang luo",
    "欠拟合": "qian ni he",
    "前向传播": "qian xiang chuan bo",
    "全连接层": "quan lian jie ceng",
    "全批量": "quan pi liang",
    "权重": "quan zhong",
    "权重衰减": "quan zhong shuai jian",
    "ReLU": "relu",
    "人工神经网络": "ren gong shen jing wang luo",
    "扇入": "shan ru",
    "熵": "shang",
    "上确界": "shang que jie",
    "神经元": "shen jing yuan",
    "神经元死亡": "shen jing yuan si wang",
    "数据泄漏": "shu ju xie lou",
    "输入层": "shu ru ceng",
    "树突": "shu tu",
    "双曲正切": "shuang qu zheng qie",
    "sigmoid": "sigmoid",
    "SiLU": "silu",
    "softmax": "softmax",
    "softplus": "softplus",
    "state_dict": "state_dict",
    "随机种子": "sui ji shu zhong zi",
    "随机梯度下降": "sui ji ti du xia jiang",
    "损失函数": "sun shi han shu",
    "梯度": "ti du",
    "梯度提升": "ti du ti sheng",
    "梯度下降": "ti du xia jiang",
    "梯度消失": "ti du xiao shi",
    "突触": "tu chu",
    "万能逼近定理": "wan neng bi jin ding li",
    "温度": "wen du",
    "无偏估计": "wu pian gu ji",
    "Xavier 初始化": "xavier chu shi hua",
    "稀疏": "xi shu",
    "下溢": "xia yi",
    "线性可分": "xian xing ke fen",
    "小批量": "xiao pi liang",
    "学习率": "xue xi lv",
    "循环神经网络": "xun huan shen jing wang luo",
    "训练集": "xun lian ji",
    "雅可比矩阵": "ya ke bi ju zhen",
    "验证集": "yan zheng ji",
    "样本标准差": "yang ben biao zhun cha",
    "叶子张量": "ye zi zhang liang",
    "以 0 为中心": "yi 0 wei zhong xin",
    "异或": "yi huo",
    "优化器": "you hua qi",
    "预激活": "yu ji huo",
    "阈值": "yu zhi",
    "原地操作": "yuan di cao zuo",
    "早停": "zao ting",
    "增益": "zeng yi",
    "张量": "zhang liang",
    "正态分布": "zheng tai fen bu",
    "正则化": "zheng ze hua",
    "注册": "zhu ce",
    "准确率": "zhun que lv",
    "自动求导": "zi dong qiu dao",
}

TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")


def parse_glossary(text: str) -> list[tuple[list[str], str]]:
    """Entries of the page's glossary directive as (term lines, definition)."""
    body = text.split("```{glossary}\n", 1)[1].split("\n```", 1)[0]
    entries: list[tuple[list[str], str]] = []
    for block in body.strip("\n").split("\n\n"):
        lines = block.splitlines()
        terms = [line for line in lines if not line.startswith(" ")]
        definition = " ".join(line.strip() for line in lines if line.startswith(" "))
        assert terms and definition, block
        assert lines[: len(terms)] == terms, f"term lines first: {block}"
        entries.append((terms, definition))
    return entries


ENTRIES = parse_glossary(PAGE.read_text(encoding="utf-8"))
TERMS = {term.lower(): terms[0] for terms, _ in ENTRIES for term in terms}


def term_links(source: str) -> list[str]:
    """Targets of the {term} roles in MyST text (`text <target>` or `target`)."""
    targets = []
    for content in TERM_ROLE.findall(source):
        explicit = re.fullmatch(r"(.+?)\s*<([^<>]+)>", content, flags=re.S)
        targets.append((explicit.group(2) if explicit else content).strip())
    return targets


def page_text(path: Path) -> str:
    """The MyST prose of a page: a notebook's Markdown cells, or a Markdown page."""
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    nb = nbformat.read(path, as_version=4)
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def page_links() -> dict[str, list[str]]:
    """{term} targets per page, keyed by the page's path under chapters/."""
    return {
        path.relative_to(ROOT / "chapters").as_posix(): term_links(page_text(path))
        for path in CHAPTERS
    }


def chapter_links() -> dict[str, list[str]]:
    """{term} targets per chapter: its chapter page and all its section pages together."""
    links: dict[str, list[str]] = {}
    for page, targets in page_links().items():
        chapter = page.split("/")[0] if "/" in page else page.removesuffix(".ipynb")
        links.setdefault(chapter, []).extend(targets)
    return links


def test_entries_are_sorted_by_pinyin() -> None:
    firsts = [terms[0] for terms, _ in ENTRIES]
    assert set(firsts) == set(PINYIN), "PINYIN must list exactly the first term of each entry"
    keys = [PINYIN[first] for first in firsts]
    out_of_order = [
        (a, b) for a, b in zip(firsts, firsts[1:], strict=False) if PINYIN[a] > PINYIN[b]
    ]
    assert keys == sorted(keys), out_of_order


def test_terms_are_unique() -> None:
    all_terms = [term.lower() for terms, _ in ENTRIES for term in terms]
    assert len(all_terms) == len(set(all_terms))


@pytest.mark.parametrize("entry", ENTRIES, ids=[terms[0] for terms, _ in ENTRIES])
def test_entry_gives_english_and_a_chapter(entry: tuple[list[str], str]) -> None:
    _, definition = entry
    assert definition.startswith("英文："), definition
    assert "{doc}`" in definition, "link the chapter(s) that teach the term"


def test_d2l_names_and_fixed_pairs() -> None:
    definitions = {terms[0]: definition for terms, definition in ENTRIES}
    assert "修正线性单元" in definitions["ReLU"]
    assert "自动微分" in definitions["自动求导"]
    assert "通用近似定理" in definitions["万能逼近定理"]
    assert "未归一化的对数概率" in definitions["logit"] and "分数" in definitions["logit"]
    assert "分段线性函数" in TERMS and "折线" not in TERMS
    assert "affine transformation" in definitions["仿射变换"]
    assert "注册表" not in TERMS and "注册" in TERMS
    assert "logits" in definitions["平移不变性"], "say what shifts"


def test_terms_the_issue_lists_are_there() -> None:
    wanted = (
        "sigmoid logistic函数 softmax leaky_relu prelu silu swish softplus 溢出 下溢 张量 "
        "随机种子 标准误差 上确界 不动点 adam 泛化 欠拟合 小批量"
    )
    for term in wanted.split():
        assert term.replace("_", " ").replace("logistic函数", "logistic 函数") in TERMS, term


def test_every_term_link_resolves() -> None:
    for chapter, targets in page_links().items():
        unknown = sorted({t for t in targets if t.lower() not in TERMS})
        assert not unknown, f"{chapter}: not in the glossary: {unknown}"


def test_every_entry_is_linked_from_a_chapter() -> None:
    linked = {TERMS[t.lower()] for targets in chapter_links().values() for t in targets}
    unlinked = [terms[0] for terms, _ in ENTRIES if terms[0] not in linked]
    assert not unlinked, f"link these from a chapter's prose: {unlinked}"


def test_every_chapter_links_terms() -> None:
    for chapter, targets in chapter_links().items():
        assert len(set(targets)) >= 20, chapter


def test_every_section_page_links_its_terms() -> None:
    # A reader may land on any section page (search, a link): its terms link to the glossary
    # there too, not only on the page where the chapter first used them.
    for page, targets in page_links().items():
        if page.endswith(".ipynb"):
            assert len(set(targets)) >= 3, f"{page}: link the glossary terms at their first use"


CONF = """
extensions = ["myst_parser"]
language = "zh_CN"
"""


def test_unknown_term_fails_the_strict_build(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    (src / "index.md").write_text(
        "# 术语\n\n{term}`ReLU` 与 {term}`没有的词条`。\n\n"
        "```{glossary}\nReLU\n  英文：ReLU。\n```\n",
        encoding="utf-8",
    )
    run = sphinx_build(src, tmp_path / "out", "-n")
    assert run.returncode != 0, "an unknown term must fail the -W build"
    assert "没有的词条" in run.stderr
