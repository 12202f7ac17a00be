"""What a PDF actually draws, for the PDF/A-2 rules that apply only to rendered content: device-dependent colour
(ISO 19005-2 6.2.4.3, 6.2.4.4, 6.2.4.5, and transparency group colour spaces), font embedding (6.2.11.4.1) and the
rendering intents of `ri` operators and inline images (6.2.6, 6.2.8).

A small content-stream interpreter follows what is painted: page contents, the Form XObjects, images, shadings,
patterns, Type 3 glyphs and soft masks they use, and annotation appearances. A font or colour space that is only
named in a resource dictionary (such as an interactive form's default resources /DR) and never used by an operator
does not count. Device colour spaces are replaced by the DefaultGray/DefaultRGB/DefaultCMYK colour space of the
resources in scope (ISO 32000-1 8.6.5.6); Form XObjects see their parent's defaults too, patterns, glyphs and
appearance streams only their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pikepdf
from pikepdf import Dictionary, Name, Stream

DEVICE = {"/DeviceGray": "DeviceGray", "/DeviceRGB": "DeviceRGB", "/DeviceCMYK": "DeviceCMYK",
          "/G": "DeviceGray", "/RGB": "DeviceRGB", "/CMYK": "DeviceCMYK"}
"""Device colour space names, with the abbreviations of inline images."""
DEFAULTS = {"DeviceGray": "/DefaultGray", "DeviceRGB": "/DefaultRGB", "DeviceCMYK": "/DefaultCMYK"}
INDEPENDENT = {"/CalGray", "/CalRGB", "/Lab", "/ICCBased"}
RENDERING_INTENTS = {"/RelativeColorimetric", "/AbsoluteColorimetric", "/Perceptual", "/Saturation"}
FILL_OPS, STROKE_OPS, BOTH_OPS = {"f", "F", "f*"}, {"S", "s"}, {"B", "B*", "b", "b*"}
TEXT_OPS = {"Tj", "TJ", "'", '"'}
FILL_MODES, STROKE_MODES = {0, 2, 4, 6}, {1, 2, 5, 6}
MAX_DEPTH = 24
MAX_OPERATORS = 2_000_000
"""A hostile file cannot keep the interpreter busy for longer than about this many operators."""


class TooComplex(Exception):
    """The content nests deeper or runs longer than any real document."""


@dataclass
class Rendered:
    """What the content paints, each with the first place where it happens."""

    device: dict[str, str] = field(default_factory=dict)
    """Device colour space ('DeviceRGB', ...) used without a Default colour space -> where."""
    fonts: dict[str, str] = field(default_factory=dict)
    """Font used for rendering without an embedded font program -> where."""
    intents: dict[str, str] = field(default_factory=dict)
    """Rendering intent outside the four standard ones -> where."""
    inline_interpolate: str = ""
    """Where an inline image asks for interpolation ('' if none)."""


@dataclass(frozen=True)
class _Pattern:
    base: object  # the underlying colour of an uncoloured pattern ([/Pattern base]); None when absent


@dataclass
class _Scope:
    resources: Dictionary
    defaults: frozenset[str]
    """Device spaces that a Default colour space replaces here."""
    where: str
    colour: bool = True
    """False inside a Type 3 glyph that begins with d1: its colour operators are ignored."""


@dataclass
class _State:
    fill: object = "DeviceGray"
    stroke: object = "DeviceGray"
    fill_pattern: object = None
    stroke_pattern: object = None
    mode: int = 0
    font: object = None

    def copy(self) -> _State:
        return _State(self.fill, self.stroke, self.fill_pattern, self.stroke_pattern, self.mode, self.font)

    @classmethod
    def initial(cls, scope: _Scope) -> _State:
        """The graphics state a content stream starts with: DeviceGray black, unless DefaultGray replaces it."""
        gray = None if "DeviceGray" in scope.defaults else "DeviceGray"
        return cls(fill=gray, stroke=gray)


def font_embedded(font: object) -> bool:
    """The font carries its font program (Type 3 fonts are their own program)."""
    if not isinstance(font, Dictionary):
        return True  # not a font at all: nothing to embed
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        font = descendants[0] if isinstance(descendants, pikepdf.Array) and len(descendants) else None
        if not isinstance(font, Dictionary):
            return False
    descriptor = font.get("/FontDescriptor")
    return isinstance(descriptor, Dictionary) and any(
        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def font_name(font: object) -> str:
    name = font.get("/BaseFont") if isinstance(font, Dictionary) else None
    return str(name).lstrip("/") if name is not None else "unnamed font"


def _key(obj: object) -> tuple[int, int] | int:
    return obj.objgen if getattr(obj, "is_indirect", False) else id(obj)


class _Interpreter:
    def __init__(self) -> None:
        self.found = Rendered()
        self.operators = 0
        self.done: set[tuple] = set()
        self.active: set = set()

    # -- colour spaces -------------------------------------------------------------------------------------------
    def space(self, cs: object, scope: _Scope, depth: int = 0) -> object:
        """A colour space as used: 'DeviceRGB' etc. when device-dependent, None when not, or a _Pattern."""
        if depth > 8:
            return None
        if isinstance(cs, Name):
            name = str(cs)
            if name in DEVICE:
                device = DEVICE[name]
                return None if device in scope.defaults else device
            if name == "/Pattern":
                return _Pattern(None)
            named = _lookup(scope.resources, "/ColorSpace", name)
            return None if named is None or (isinstance(named, Name) and str(named) == name) else \
                self.space(named, scope, depth + 1)
        if isinstance(cs, Stream):  # an ICC profile stream used directly
            return None
        if not isinstance(cs, pikepdf.Array) or not len(cs):
            return None
        family = str(cs[0]) if isinstance(cs[0], Name) else ""
        if family in INDEPENDENT:
            return None
        if family == "/Indexed" and len(cs) > 1:
            return self.space(cs[1], scope, depth + 1)
        if family == "/Separation" and len(cs) > 2:
            return None if str(cs[1]) == "/None" else self.space(cs[2], scope, depth + 1)
        if family == "/DeviceN" and len(cs) > 2:
            return self.space(cs[2], scope, depth + 1)
        if family == "/Pattern":
            return _Pattern(cs[1] if len(cs) > 1 else None)
        if family in DEVICE:
            return self.space(cs[0], scope, depth + 1)
        return None

    def use(self, used: object, scope: _Scope, what: str, pattern: object = None, depth: int = 0) -> None:
        if not scope.colour or used is None:
            return
        if isinstance(used, _Pattern):
            self.paint_pattern(pattern, used, scope, depth)
        else:
            self.found.device.setdefault(str(used), f"{scope.where} ({what})")

    def paint_pattern(self, pattern: object, used: _Pattern, scope: _Scope, depth: int) -> None:
        if not isinstance(pattern, Name):
            return
        obj = _lookup(scope.resources, "/Pattern", str(pattern))
        if not isinstance(obj, Dictionary | Stream):
            return
        where = f"{scope.where}, pattern {pattern}"
        if obj.get("/PatternType") == 2:
            shading = obj.get("/Shading")
            if isinstance(shading, Dictionary | Stream):
                own = self.scope_of(None, scope, where, inherit=False)
                self.use(self.space(shading.get("/ColorSpace"), own), own, "shading")
        elif obj.get("/PaintType") == 2:  # uncoloured: painted in the colour of its base space
            if used.base is not None:
                self.use(self.space(used.base, scope), scope, "uncoloured pattern")
            if isinstance(obj, Stream):
                own = self.scope_of(obj.get("/Resources"), scope, where, inherit=False)
                self.form(obj, own, _State.initial(own), depth + 1, colour=False)
        elif isinstance(obj, Stream):
            own = self.scope_of(obj.get("/Resources"), scope, where, inherit=False)
            self.form(obj, own, _State.initial(own), depth + 1)

    # -- scopes and streams --------------------------------------------------------------------------------------
    @staticmethod
    def scope_of(resources: object, parent: _Scope | None, where: str, *, inherit: bool) -> _Scope:
        if not isinstance(resources, Dictionary):
            resources = parent.resources if parent is not None and inherit else Dictionary()
        spaces = resources.get("/ColorSpace")
        own = {device for device, key in DEFAULTS.items()
               if isinstance(spaces, Dictionary) and key in spaces}
        inherited = parent.defaults if parent is not None and inherit else frozenset()
        return _Scope(resources, frozenset(own) | inherited, where)

    def form(self, stream: Stream, scope: _Scope, state: _State, depth: int, colour: bool = True) -> None:
        if depth > MAX_DEPTH:
            raise TooComplex(f"content nested more than {MAX_DEPTH} levels deep")
        key = (_key(stream), scope.defaults, scope.colour and colour, str(state.fill), str(state.stroke),
               state.mode, _key(state.font) if state.font is not None else None)
        if key in self.done or _key(stream) in self.active:
            return
        self.done.add(key)
        group = stream.get("/Group")
        if isinstance(group, Dictionary) and "/CS" in group:
            self.use(self.space(group["/CS"], scope), scope, "transparency group")
        self.active.add(_key(stream))
        try:
            scope.colour = scope.colour and colour
            self.run(pikepdf.parse_content_stream(stream), scope, state.copy(), depth)
        finally:
            self.active.discard(_key(stream))

    def run(self, instructions: list, scope: _Scope, state: _State, depth: int) -> None:
        stack: list[_State] = []
        for instruction in instructions:
            self.operators += 1
            if self.operators > MAX_OPERATORS:
                raise TooComplex(f"more than {MAX_OPERATORS:,} content operators")
            operands, op = instruction.operands, str(instruction.operator)
            if op == "q":
                stack.append(state.copy())
            elif op == "Q":
                if stack:
                    state = stack.pop()
            elif op in FILL_OPS:
                self.use(state.fill, scope, "fill", state.fill_pattern, depth)
            elif op in STROKE_OPS:
                self.use(state.stroke, scope, "stroke", state.stroke_pattern, depth)
            elif op in BOTH_OPS:
                self.use(state.fill, scope, "fill", state.fill_pattern, depth)
                self.use(state.stroke, scope, "stroke", state.stroke_pattern, depth)
            elif op in TEXT_OPS:
                self.text(state, scope, depth)
            else:
                self.other(op, operands, scope, state, depth)

    def other(self, op: str, operands: list, scope: _Scope, state: _State, depth: int) -> None:
        first = operands[0] if operands else None
        if op in ("cs", "CS") and first is not None:
            value = self.space(first, scope)
            if not isinstance(value, _Pattern):  # selecting a colour counts as using it (the veraPDF corpus)
                self.use(value, scope, "colour set")
            if op == "cs":
                state.fill, state.fill_pattern = value, None
            else:
                state.stroke, state.stroke_pattern = value, None
        elif op in ("g", "rg", "k", "G", "RG", "K"):
            device = {"g": "DeviceGray", "rg": "DeviceRGB", "k": "DeviceCMYK"}[op.lower()]
            value = None if device in scope.defaults else device
            self.use(value, scope, "colour set")
            if op.islower():
                state.fill, state.fill_pattern = value, None
            else:
                state.stroke, state.stroke_pattern = value, None
        elif op in ("scn", "SCN") and operands and isinstance(operands[-1], Name):
            if op == "scn":
                state.fill_pattern = operands[-1]
            else:
                state.stroke_pattern = operands[-1]
        elif op == "Tf" and isinstance(first, Name):
            state.font = _lookup(scope.resources, "/Font", str(first))
        elif op == "Tr" and operands:
            try:
                state.mode = int(first)
            except (TypeError, ValueError):
                state.mode = 0
        elif op == "Do" and isinstance(first, Name):
            self.xobject(first, scope, state, depth)
        elif op == "sh" and isinstance(first, Name):
            shading = _lookup(scope.resources, "/Shading", str(first))
            if isinstance(shading, Dictionary | Stream):
                self.use(self.space(shading.get("/ColorSpace"), scope), scope, "shading")
        elif op == "INLINE IMAGE" and operands:
            self.inline_image(operands[0], scope, state)
        elif op == "ri" and isinstance(first, Name) and str(first) not in RENDERING_INTENTS:
            self.found.intents.setdefault(str(first), scope.where)
        elif op == "gs" and isinstance(first, Name):
            self.graphics_state(first, scope, state, depth)
        elif op == "d1":
            scope.colour = False  # the glyph is painted in the text's colour; its own colour operators are ignored

    def text(self, state: _State, scope: _Scope, depth: int) -> None:
        if state.mode in FILL_MODES:
            self.use(state.fill, scope, "text fill", state.fill_pattern, depth)
        if state.mode in STROKE_MODES:
            self.use(state.stroke, scope, "text stroke", state.stroke_pattern, depth)
        font = state.font
        if state.mode == 3 or font is None:
            return  # invisible text is not rendering (ISO 19005-2 6.2.11.4.1)
        if not font_embedded(font):
            self.found.fonts.setdefault(font_name(font), scope.where)
        elif isinstance(font, Dictionary) and font.get("/Subtype") == "/Type3":
            self.type3(font, scope, state, depth)

    def type3(self, font: Dictionary, scope: _Scope, state: _State, depth: int) -> None:
        procs = font.get("/CharProcs")
        if not isinstance(procs, Dictionary):
            return
        where = f"{scope.where}, Type 3 font {font_name(font)}"
        for _name, glyph in procs.items():
            if isinstance(glyph, Stream):
                own = self.scope_of(font.get("/Resources"), scope, where, inherit=False)
                self.form(glyph, own, state, depth + 1)

    def xobject(self, name: Name, scope: _Scope, state: _State, depth: int) -> None:
        obj = _lookup(scope.resources, "/XObject", str(name))
        if not isinstance(obj, Stream):
            return
        subtype = obj.get("/Subtype")
        if subtype == "/Image":
            if obj.get("/ImageMask") is True:
                self.use(state.fill, scope, "image mask", state.fill_pattern, depth)
            elif "/ColorSpace" in obj:
                self.use(self.space(obj["/ColorSpace"], scope), scope, f"image {name}")
        elif subtype == "/Form":
            where = f"{scope.where}, form {name}"
            self.form(obj, self.scope_of(obj.get("/Resources"), scope, where, inherit=True), state, depth + 1)

    def inline_image(self, image: object, scope: _Scope, state: _State) -> None:
        d = getattr(image, "obj", None)
        if not isinstance(d, Dictionary):
            return
        if d.get("/Interpolate") is True and not self.found.inline_interpolate:
            self.found.inline_interpolate = scope.where
        intent = d.get("/Intent")
        if isinstance(intent, Name) and str(intent) not in RENDERING_INTENTS:
            self.found.intents.setdefault(str(intent), f"{scope.where} (inline image)")
        if d.get("/ImageMask") is True:
            self.use(state.fill, scope, "inline image mask", state.fill_pattern)
        elif "/ColorSpace" in d:
            self.use(self.space(d["/ColorSpace"], scope), scope, "inline image")

    def graphics_state(self, name: Name, scope: _Scope, state: _State, depth: int) -> None:
        gs = _lookup(scope.resources, "/ExtGState", str(name))
        if not isinstance(gs, Dictionary):
            return
        font = gs.get("/Font")
        if isinstance(font, pikepdf.Array) and len(font):
            state.font = font[0]
        mask = gs.get("/SMask")
        if isinstance(mask, Dictionary) and isinstance(mask.get("/G"), Stream):
            group = mask["/G"]
            where = f"{scope.where}, soft mask"
            own = self.scope_of(group.get("/Resources"), scope, where, inherit=True)
            self.form(group, own, _State.initial(own), depth + 1)

    # -- entry points --------------------------------------------------------------------------------------------
    def page(self, number: int, page: pikepdf.Page) -> None:
        where = f"page {number}"
        scope = self.scope_of(page.obj.get("/Resources"), None, where, inherit=False)
        group = page.obj.get("/Group")
        if isinstance(group, Dictionary) and "/CS" in group:
            self.use(self.space(group["/CS"], scope), scope, "page transparency group")
        if "/Contents" in page.obj:
            self.run(pikepdf.parse_content_stream(page), scope, _State.initial(scope), 0)
        annots = page.obj.get("/Annots")
        for annot in annots if isinstance(annots, pikepdf.Array) else ():
            appearances = annot.get("/AP") if isinstance(annot, Dictionary) else None
            if not isinstance(appearances, Dictionary):
                continue
            for kind in ("/N", "/R", "/D"):
                for stream in _appearance_streams(appearances.get(kind)):
                    own = self.scope_of(stream.get("/Resources"), None, f"{where}, annotation appearance",
                                        inherit=False)
                    self.form(stream, own, _State.initial(own), 1)


def _lookup(resources: object, category: str, name: str) -> object:
    if not isinstance(resources, Dictionary):
        return None
    group = resources.get(category)
    return group.get(name) if isinstance(group, Dictionary) else None


def _appearance_streams(value: object) -> list[Stream]:
    if isinstance(value, Stream):
        return [value]
    if isinstance(value, Dictionary):
        return [v for v in value.values() if isinstance(v, Stream)]
    return []


def rendered(pdf: pikepdf.Pdf) -> Rendered:
    """Walk every page's content and annotation appearances. Raises TooComplex for absurd nesting or length;
    pikepdf errors (a content stream that cannot be parsed) pass through to the caller."""
    interpreter = _Interpreter()
    for number, page in enumerate(pdf.pages, start=1):
        interpreter.page(number, page)
    return interpreter.found
