"""Exam rendering: LaTeX (the ``exam`` class), Markdown, the answer key and Moodle XML.

Questions arrive as blocks (:mod:`mlederive.questions`); each block type has one way to be
written in each format. Nothing here computes an answer. What a student receives — the
exam papers — shows the title, the course, the variant's code, the points and room to
answer; never the seed, never a solution.
"""
from __future__ import annotations

import csv
import html
import io
import re
from xml.sax.saxutils import escape as xml_escape

from ..questions import Exam, Variant
from ..version import __version__
from .base import Renderer, document_blocks
from .common import plain_text
from .latex import FONTS, LatexRenderer, equation_rows, tex_prose, tex_text
from .markdown import MarkdownRenderer, md_prose, md_text

#: what a worked solution says instead of the verifier's marks, step by step
CHECKED = "Every step of this solution was derived and machine-checked by mlederive."


class _WorkedSolution:
    """A derivation as a teacher's worked solution: steps, reasons and results — no verification marks, no
    library table, no 'n/n steps verified (…)' line; one sentence says every step was machine-checked."""

    def _render_NumberedStep(self, block):
        return super()._render_NumberedStep(type(block)(block.number, block.step, None))

    def _render_Table(self, block):
        return None

    def _render_Setting(self, block):
        return None  # the question states the assumption


class LatexSolution(_WorkedSolution, LatexRenderer):
    def _render_Summary(self, block):
        return r"\noindent{\small %s}" % tex_text(CHECKED, prose=False)


class MarkdownSolution(_WorkedSolution, MarkdownRenderer):
    def _render_Summary(self, block):
        return "*%s*" % md_text(CHECKED)


def _aligned(rows) -> list:
    """Rows of a Display, each given an alignment point."""
    return [r if "&" in r else "&" + r for r in rows]


def _sentence(title: str) -> str:
    """A title as a run-in heading: "Derive a loss (…)." but "Which loss?" stays as it is."""
    return title if title.rstrip().endswith(("?", ".", "!")) else title + "."


def _points(n: int) -> str:
    return "%d point%s" % (n, "" if n == 1 else "s")


# -- LaTeX -------------------------------------------------------------------------------------

class ExamLatex(Renderer):
    """Question blocks as LaTeX for the ``exam`` class."""

    def __init__(self, solutions: bool, notation):
        self.solutions, self.notation = solutions, notation

    def _render_Para(self, block):
        return tex_prose(block.prose, self.notation) + "\n"

    def _render_Display(self, block):
        return "\\begin{align*}\n" + " \\\\\n".join(_aligned(block.rows)) + "\n\\end{align*}\n"

    def _render_Choices(self, block):
        items = []
        for n, option in enumerate(block.options):
            cmd = r"\CorrectChoice" if self.solutions and n == block.correct else r"\choice"
            items.append("%s %s" % (cmd, tex_prose(option, self.notation)))
        return "\\begin{choices}\n" + "\n".join(items) + "\n\\end{choices}\n"

    def _render_Worked(self, block):
        renderer = LatexSolution(block.notation, headings=(r"\paragraph*", r"\paragraph*"))
        return "\n".join(renderer.render_all(document_blocks(block.derivation))) + "\n"

    def _render_Checks(self, block):
        if all(ok for _, ok, _ in block.items):
            return "\\noindent{\\small %s}\n" % tex_text(CHECKED, prose=False)
        lines = [r"\textbf{FAILED} %s (%s)" % (tex_prose(what), tex_text(method, prose=False))
                 for what, ok, method in block.items if not ok]
        return "\\noindent{\\small " + "\\\\\n".join(lines) + "}\n"


def _cover(exam: Exam, variant: Variant, solutions: bool) -> list[str]:
    course = (tex_text(exam.course, prose=False) + r"\\[2pt]") if exam.course else ""
    out = [r"\begin{center}", course, r"{\Large %s}\\[4pt]" % tex_text(exam.title, prose=False),
           r"Variant %s%s\\[2pt]" % (variant.code, " --- worked solutions" if solutions else ""),
           r"{\small %d questions, %s in all}" % (len(variant.questions), _points(exam.total_points)),
           r"\end{center}"]
    if not solutions:
        out += [r"\vspace{0.5em}\noindent\makebox[0.6\textwidth]{Name:\enspace\hrulefill}\hfill"
                r"\makebox[0.3\textwidth]{Student no.:\enspace\hrulefill}", r"\vspace{1em}"]
    return [line for line in out if line]


def exam_tex(exam: Exam, variant: Variant, solutions: bool) -> str:
    out = [r"\documentclass[11pt,addpoints]{exam}", r"\usepackage[utf8]{inputenc}", FONTS,
           r"\usepackage{amsmath,amssymb,needspace}", r"\usepackage[margin=2.2cm]{geometry}"]
    if solutions:
        out.append(r"\printanswers")
    header = tex_text(exam.course, prose=False) if exam.course else tex_text(exam.title, prose=False)
    # who made it, in the first page's footer: as a last line it could fall onto a page of its own
    out += [r"\runningheader{%s}{}{Variant %s}" % (header, variant.code), r"\runningheadrule",
            r"\firstpagefooter{\footnotesize Generated by mlederive %s}{Page \thepage}"
            r"{\footnotesize every solution machine-checked}" % __version__, r"\pointpoints{point}{points}", r"\begin{document}"]
    out += _cover(exam, variant, solutions)
    out.append(r"\begin{questions}")
    blocks = ExamLatex(solutions, variant.notation)
    for q in variant.questions:
        prompt = blocks.render_all(q.prompt)
        if not solutions and q.space:  # the question and its answer box on one page
            out.append(r"\needspace{%.1fcm}" % needed_space(q, prompt))
        out.append(r"\question[%d] \textbf{%s}" % (q.points, _sentence(tex_prose(q.title, variant.notation))))
        out += prompt
        body = blocks.render_all(q.solution) + [r"\par\noindent\textbf{Answer:} "
                                                 + "".join(blocks.render_all(q.answer_blocks))]
        if solutions:
            out += [r"\begin{solution}"] + body + [r"\end{solution}"]
        elif q.space:
            out += [r"\begin{solutionorbox}[%gcm]" % q.space, r"\end{solutionorbox}"]
    out += [r"\end{questions}", r"\end{document}", ""]
    return "\n".join(out)


def needed_space(question, prompt: list) -> float:
    """Centimetres a question needs on its page: its answer box, and its text (about 95 characters a line, 0.5 cm a
    line; a displayed formula or a choice about 1 cm) — asked of \needspace, so a box never starts the next page."""
    text = "".join(prompt)
    lines = len(re.sub(r"\\[A-Za-z]+|[{}$]", "", text)) / 95 + 2
    lines += 2 * (text.count(r"\choice") + text.count(r"\CorrectChoice") + text.count(r"\\"))
    return question.space + 0.5 * lines + 0.8


# -- Markdown ------------------------------------------------------------------------------------

class ExamMarkdown(Renderer):
    """Question blocks as Markdown."""

    def __init__(self, solutions: bool, notation):
        self.solutions, self.notation = solutions, notation

    def _render_Para(self, block):
        return md_prose(block.prose, self.notation)

    def _render_Display(self, block):
        return "$$\n\\begin{aligned}\n" + " \\\\\n".join(_aligned(block.rows)) + "\n\\end{aligned}\n$$"

    def _render_Choices(self, block):
        return "\n".join("- **%s.** %s%s" % ("ABCDEFG"[n], md_prose(o, self.notation),
                                             " ✓" if self.solutions and n == block.correct else "")
                         for n, o in enumerate(block.options))

    def _render_Worked(self, block):
        return "\n\n".join(MarkdownSolution(block.notation, level=4).render_all(document_blocks(block.derivation)))

    def _render_Checks(self, block):
        if all(ok for _, ok, _ in block.items):
            return "*%s*" % md_text(CHECKED)
        return "\n".join("- ✗ **FAILED** %s (%s)" % (md_prose(what), md_text(method))
                         for what, ok, method in block.items if not ok)


def exam_markdown(exam: Exam, variant: Variant, solutions: bool) -> str:
    head = "# %s — variant %s%s" % (md_text(exam.title), variant.code, " (worked solutions)" if solutions else "")
    out = ([md_text(exam.course)] if exam.course else []) + [head] + [
        "%d questions, %s in all." % (len(variant.questions), _points(exam.total_points))]
    if not solutions and any(q.kind in ("derive", "derive-each") for q in variant.questions):
        out.append("*Typing your answers? Begin the file with the line `Variant: %s`, head each answer "
                   "`## Question N`, and write each step of a derivation as a formula of its own (`$$ … $$`).*"
                   % variant.code)
    blocks = ExamMarkdown(solutions, variant.notation)
    for q in variant.questions:
        out.append("## Question %d. %s (%s)" % (q.number, md_prose(q.title, variant.notation), _points(q.points)))
        out += blocks.render_all(q.prompt)
        if solutions:
            out.append("### Solution")
            out += blocks.render_all(q.solution)
            out.append("**Answer:** " + "\n\n".join(blocks.render_all(q.answer_blocks)))
    out.append("*Generated by mlederive %s; every solution machine-checked.*" % __version__)
    return "\n\n".join(out) + "\n"


# -- the key -----------------------------------------------------------------------------------

def answer_key(exam: Exam) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["variant", "code", "question", "kind", "points", "answer"])
    for variant in exam.variants:
        for q in variant.questions:
            writer.writerow([variant.number, variant.code, q.number, q.kind, q.points, q.answer])
    return buffer.getvalue()


# -- Moodle XML ----------------------------------------------------------------------------------

class MoodleHtml(Renderer):
    """Question blocks as the HTML of Moodle question text, mathematics for MathJax (\\( … \\))."""

    def __init__(self, notation):
        self.notation = notation

    def prose(self, p) -> str:
        """Prose as Moodle HTML: the LaTeX export's formulas between \\( and \\), words escaped."""
        return _mathjax(md_prose(p, self.notation))

    def _render_Para(self, block):
        return "<p>%s</p>" % self.prose(block.prose)

    def _render_Display(self, block):
        return self._aligned(_aligned(block.rows))

    def _render_Choices(self, block):
        return None  # Moodle answers, not text

    def _render_Worked(self, block):
        nt, rows = block.notation, []
        for step in block.derivation.steps:
            rows.append("<p><b>%s.</b> %s</p>" % (_mathjax(md_prose(step.title, nt)), _mathjax(md_prose(step.justification, nt))))
            rows.append(self._aligned(equation_rows(step.lhs_latex, step.display if step.display is not None
                                                    else step.expr, nt)))
        return "".join(rows)

    def _render_Checks(self, block):
        if all(ok for _, ok, _ in block.items):
            return "<p><i>%s</i></p>" % html.escape(CHECKED)
        return "<ul>%s</ul>" % "".join("<li>✗ %s (%s)</li>" % (_mathjax(md_prose(w)), html.escape(m))
                                       for w, ok, m in block.items if not ok)

    @staticmethod
    def _aligned(rows) -> str:
        return r"<p>\[\begin{aligned}%s\end{aligned}\]</p>" % html.escape(r" \\ ".join(rows), quote=False)


_MD_MATH = re.compile(r"\$([^$]+)\$")


def _mathjax(markdown: str) -> str:
    """Markdown prose (``$…$`` formulas, backslash escapes, backquoted code) as HTML for Moodle's MathJax."""
    out, last = [], 0
    for m in _MD_MATH.finditer(markdown):
        out.append(_md_words(markdown[last:m.start()]))
        out.append(r"\(%s\)" % html.escape(m.group(1), quote=False))
        last = m.end()
    out.append(_md_words(markdown[last:]))
    return "".join(out)


def _md_words(text: str) -> str:
    text = re.sub(r"\\(.)", r"\1", text)  # Markdown's escapes
    parts = re.split(r"`([^`]*)`", text)
    return "".join("<code>%s</code>" % html.escape(p) if n % 2 else html.escape(p, quote=False)
                   for n, p in enumerate(parts))


def _cdata(text: str) -> str:
    return "<![CDATA[%s]]>" % text.replace("]]>", "]]]]><![CDATA[>")


def _question_xml(qtype: str, name: str, text: str, body: str, points: int, feedback: str = "") -> str:
    fb = "<generalfeedback format=\"html\"><text>%s</text></generalfeedback>" % _cdata(feedback) if feedback else ""
    return ('  <question type="%s">\n    <name><text>%s</text></name>\n'
            '    <questiontext format="html"><text>%s</text></questiontext>\n    %s\n'
            '    <defaultgrade>%d</defaultgrade>\n%s  </question>'
            % (qtype, xml_escape(name), _cdata(text), fb, points, body))


def _cloze_number(n, weight: int, html_renderer) -> str:
    """One embedded answer of a cloze question: {weight:NUMERICAL:=value:tolerance}."""
    return "<p>%s: {%d:NUMERICAL:=%s:%s}</p>" % (html_renderer.prose(n.label), weight, n.shown, repr(n.tolerance))


def cloze_weights(points: int, answers: int) -> list[int]:
    """Whole-number weights of a cloze question's embedded answers that add up to its points: Moodle sets a cloze
    question's mark to the sum of its sub-questions' weights (10 points, two answers: 5 and 5; 5 points: 3 and 2)."""
    base, extra = divmod(points, answers)
    return [base + (1 if k < extra else 0) for k in range(answers)]


def moodle_xml(exam: Exam) -> str:
    """One category per question slot, one question per variant — every variant of a slot of the same kind, so
    Moodle's random question from a category gives each student a variant of the same question. A question with
    two numbers to give is one cloze (embedded answers) question."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    slots = max(len(v.questions) for v in exam.variants)
    course = re.sub(r"[^\w .-]", "", exam.title).strip() or "mlederive"
    for slot in range(1, slots + 1):
        kinds = {v.questions[slot - 1].kind for v in exam.variants}
        if len(kinds) != 1:  # build_exam gives every variant the same kind per slot
            raise ValueError("question slot %d holds several kinds: %s" % (slot, sorted(kinds)))
        out.append('  <question type="category">\n    <category><text>$course$/%s/Question %d (%s)'
                   '</text></category>\n  </question>' % (xml_escape(course), slot, kinds.pop()))
        # every variant of a slot gets the same Moodle type: cloze as soon as one variant asks for two numbers
        cloze = any(v.questions[slot - 1].grading.kind == "numerical" and len(v.questions[slot - 1].grading.numbers) > 1
                    for v in exam.variants)
        for variant in exam.variants:
            q = variant.questions[slot - 1]
            render = MoodleHtml(variant.notation)
            text = "".join(render.render_all(q.prompt))
            feedback = "".join(render.render_all(q.solution))
            name = "%s Q%d %s" % (variant.code, q.number, plain_text(q.title, variant.notation))
            grading = q.grading
            if grading.kind == "numerical" and not cloze:
                n = grading.numbers[0]
                body = ('    <answer fraction="100"><text>%s</text><tolerance>%r</tolerance>'
                        '<feedback><text></text></feedback></answer>\n' % (n.shown, n.tolerance))
                out.append(_question_xml("numerical", name, text + "<p>Give %s.</p>" % render.prose(n.label), body,
                                         q.points, feedback))
            elif grading.kind == "numerical":
                weights = cloze_weights(q.points, len(grading.numbers))
                embedded = text + "".join(_cloze_number(n, w, render) for n, w in zip(grading.numbers, weights))
                out.append(_question_xml("cloze", name, embedded, "", sum(weights), feedback))
            elif grading.kind == "multichoice":
                answers = "".join(
                    '    <answer fraction="%d" format="html"><text>%s</text></answer>\n'
                    % (100 if n == q.choices.correct else 0, _cdata(render.prose(o)))
                    for n, o in enumerate(q.choices.options))
                body = "    <single>true</single>\n    <shuffleanswers>1</shuffleanswers>\n" + answers
                out.append(_question_xml("multichoice", name, text, body, q.points, feedback))
            else:
                body = '    <graderinfo format="html"><text>%s</text></graderinfo>\n' % _cdata(feedback)
                out.append(_question_xml("essay", name, text, body, q.points))
    out.append("</quiz>")
    return "\n".join(out) + "\n"


def exam_files(exam: Exam) -> dict[str, str]:
    """Every text file of an exam, by name."""
    files = {}
    for variant in exam.variants:
        v = variant.number
        files["exam-%d.tex" % v] = exam_tex(exam, variant, solutions=False)
        files["solutions-%d.tex" % v] = exam_tex(exam, variant, solutions=True)
        files["exam-%d.md" % v] = exam_markdown(exam, variant, solutions=False)
        files["solutions-%d.md" % v] = exam_markdown(exam, variant, solutions=True)
    files["key.csv"] = answer_key(exam)
    files["exam.json"] = manifest(exam)
    return files


def manifest(exam: Exam) -> str:
    """What ``mlederive grade --exam DIR`` needs of each variant: its code, the letters it writes for the weights,
    inputs and targets, and each question's kind, points and recipe (the seed is not written: it reproduces every
    solution)."""
    import json

    def letters(notation):
        return {"weights": notation.weights.symbol, "inputs": notation.inputs.symbol, "target": notation.target.symbol}

    variants = [{"number": v.number, "code": v.code, "notation": letters(v.notation),
                 "questions": [{"number": q.number, "kind": q.kind, "title": plain_text(q.title, v.notation),
                                "points": q.points, "recipe": q.recipe or None}
                               for q in v.questions]} for v in exam.variants]
    return json.dumps({"mlederive_exam": 1, "title": exam.title, "course": exam.course, "variants": variants},
                      indent=1, ensure_ascii=False) + "\n"
