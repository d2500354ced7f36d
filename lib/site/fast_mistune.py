"""mistune's Markdown and HTML renderer with the same output and less per-token overhead."""
import mistune
from mistune.util import escape as escape_text


class FastMarkdown(mistune.Markdown):
    """mistune's Markdown, parsing inline text in place instead of through nested generators."""

    def _iter_render(self, tokens, state):
        # Same tokens and order as mistune's version: renderers read nothing inline parsing writes.
        inline, env = self.inline, state.env
        for tok in tokens:
            if "children" in tok:
                self._iter_render(tok["children"], state)
            elif "text" in tok:
                tok["children"] = inline(tok.pop("text").strip(" \r\n\t\f"), env)
        return tokens


class FastInlineParser(mistune.InlineParser):
    """mistune's InlineParser without re-sorting its trigger characters for every run of text."""

    _fast_trigger_for = None

    def _get_fast_trigger_re(self, chars):
        # mistune builds a sorted tuple of the characters on each call to compare with its cache;
        # the set is rebuilt (a new object) and the pattern dropped whenever a rule is registered.
        if self._fast_trigger_re is None or self._fast_trigger_for is not chars:
            super()._get_fast_trigger_re(chars)
            self._fast_trigger_for = chars
        return self._fast_trigger_re


class FastHTMLRenderer(mistune.HTMLRenderer):
    """mistune's HTMLRenderer (always escaping raw HTML) with each render method looked up once."""

    def __init__(self):
        super().__init__(escape=True)
        self._methods = {}

    def render_token(self, token, state):
        """Render one token like mistune's HTMLRenderer, with the method lookup done once per type."""
        func = self._methods.get(token["type"])
        if func is None:
            # mistune looks each method up again per token, through a raised AttributeError for plugins.
            func = self._methods[token["type"]] = self._get_method(token["type"])
        attrs = token.get("attrs")
        if "raw" in token:
            text = token["raw"]
        elif "children" in token:
            text = self.render_tokens(token["children"], state)
        else:
            return func(**attrs) if attrs else func()
        return func(text, **attrs) if attrs else func(text)

    def render_tokens(self, tokens, state):
        """Render a token list (a list comprehension: cheaper than mistune's generator)."""
        render = self.render_token
        return "".join([render(tok, state) for tok in tokens])

    def text(self, text):
        """Render plain text (this renderer always escapes raw HTML)."""
        return escape_text(text)
