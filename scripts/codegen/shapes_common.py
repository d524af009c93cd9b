"""What the EC2 and ELBv2 shape generators share: botocore shapes → Rust structs with
`FromQuery` (requests) and `ToXml` (responses). The protocol dialects differ only in how
a member is named on the wire and how lists and maps are read and written; each script
passes those as functions."""

import keyword
import re

RUST_SCALARS = {"string": "String", "integer": "i32", "long": "i64", "boolean": "bool",
                "timestamp": "Timestamp", "double": "f64", "float": "f64", "blob": "String"}
RESERVED = {"type", "match", "ref", "self", "crate", "mod", "move", "loop", "box", "where",
            "impl", "trait", "use", "fn", "struct", "enum", "pub", "let", "mut", "const",
            "static", "dyn", "async", "await", "macro", "override", "final", "priv",
            "virtual", "yield", "abstract", "become", "do", "typeof", "unsized", "try", "gen"}


def snake(name):
    # `PrivateIPv4Address` reads as `private_ipv4_address`, not `private_i_pv4_address`.
    name = name.replace("IPv4", "Ipv4").replace("IPv6", "Ipv6")
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = s.lower()
    if keyword.iskeyword(s) or s in RESERVED:
        s = "r#" + s
    return s


class Model:
    """The shapes reachable from `operations`' inputs and outputs."""

    def __init__(self, model, operations, maps):
        self.model = model
        self.shapes = model["shapes"]
        self.maps = maps
        self.inputs, self.outputs = set(), set()
        for op in operations:
            o = model["operations"][op]
            if "input" in o:
                self._walk(o["input"]["shape"], self.inputs)
            if "output" in o:
                self._walk(o["output"]["shape"], self.outputs)

    def _walk(self, name, into):
        if name in into:
            return
        shape = self.shapes[name]
        into.add(name)
        if shape["type"] == "structure":
            for m in shape["members"].values():
                self._walk(m["shape"], into)
        elif shape["type"] == "list":
            self._walk(shape["member"]["shape"], into)
        elif shape["type"] == "map":
            if not self.maps:
                raise SystemExit(f"map shape {name} is not supported")
            for part in ("key", "value"):
                assert self.shapes[shape[part]["shape"]]["type"] == "string", name

    def rust_type(self, name):
        shape = self.shapes[name]
        t = shape["type"]
        if t == "structure":
            return name
        if t == "list":
            return f"Vec<{self.rust_type(shape['member']['shape'])}>"
        if t == "map":
            return "Vec<(String, String)>"
        return RUST_SCALARS[t]

    def is_scalar(self, name):
        return self.shapes[name]["type"] in RUST_SCALARS

    def write_expr(self, shape_name, field, tag):
        """A Rust statement writing `self.field` as element `tag`."""
        shape = self.shapes[shape_name]
        t = shape["type"]
        if t in RUST_SCALARS:
            return f'w.scalar("{tag}", &self.{field});'
        if t == "structure":
            return f'w.structure("{tag}", &self.{field});'
        if t == "list":
            item = shape["member"]["shape"]
            item_tag = shape["member"].get("locationName", "member")
            if self.is_scalar(item):
                return f'w.scalar_list("{tag}", "{item_tag}", &self.{field});'
            return f'w.struct_list("{tag}", "{item_tag}", &self.{field});'
        if t == "map":
            return f'w.map("{tag}", &self.{field});'
        raise SystemExit(t)

    def emit_structs(self, emit, parse_expr, query_name, xml_name):
        """Every structure, with `FromQuery` when a request uses it and `ToXml` when a
        response does; `parse_expr(shape, key_expr)` reads a member, `query_name` and
        `xml_name` name it on the wire."""
        for name in sorted(self.inputs | self.outputs):
            shape = self.shapes[name]
            if shape["type"] != "structure":
                continue
            input_only = name in self.inputs and name not in self.outputs
            required = set(shape.get("required", [])) if input_only else set()
            fields = []
            used = set()
            for mname, m in shape["members"].items():
                field = snake(mname)
                assert field not in used, (name, field)
                used.add(field)
                ty = self.rust_type(m["shape"])
                if mname not in required:
                    ty = f"Option<{ty}>"
                fields.append((mname, m, field, ty))
            emit("#[derive(Clone, Debug, Default, PartialEq)]")
            emit(f"pub struct {name} {{")
            for mname, m, field, ty in fields:
                emit(f"    pub {field}: {ty},")
            emit("}")
            emit("")
            if name in self.inputs:
                emit(f"impl FromQuery for {name} {{")
                emit("    fn from_query(q: &Query, prefix: &str) -> Result<Self, QueryError> {")
                if not fields:
                    emit("        let _ = (q, prefix);")
                emit("        Ok(Self {")
                for mname, m, field, ty in fields:
                    key = query_name(mname, m)
                    expr = parse_expr(m["shape"], f'&q.key(prefix, "{key}")')
                    if mname in required:
                        expr = f'q.required({expr}, &q.key(prefix, "{key}"))?'
                    emit(f"            {field}: {expr},")
                emit("        })")
                emit("    }")
                emit("}")
                emit("")
            if name in self.outputs:
                emit(f"impl ToXml for {name} {{")
                emit("    fn write_members(&self, w: &mut XmlWriter) {")
                if not fields:
                    emit("        let _ = w;")
                for mname, m, field, ty in fields:
                    emit("        " + self.write_expr(m["shape"], field, xml_name(mname, m)))
                emit("    }")
                emit("}")
                emit("")

    def structures(self):
        return sum(1 for n in self.inputs | self.outputs if self.shapes[n]["type"] == "structure")
