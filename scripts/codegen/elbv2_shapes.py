#!/usr/bin/env python3
"""Generates crates/vpclab-api/src/elbv2/shapes.rs from botocore's ELBv2 service model.

ELBv2 speaks the AWS *query* protocol, which botocore's `elbv2/2015-12-01/service-2.json`
describes exactly. It differs from EC2's dialect (see ec2_shapes.py) in three ways this
script follows:

- request members keep their model names (no `queryName`/capitalised `locationName`);
- lists are `Name.member.N` (not flattened), maps `Name.entry.N.key` / `.value`;
- responses name elements by member name and wrap list items in `<member>`, inside
  `<XxxResponse><XxxResult>…</XxxResult>` (the operation's `resultWrapper`).

The Rust side reuses ec2/wire.rs (`Query`, `XmlWriter`), with its query-protocol list
mode (`Query::member_list`, `Query::member_struct_list`, `Query::map_entries`).

Usage: /work/venv-probe/bin/python scripts/codegen/elbv2_shapes.py (needs botocore
importable). The output is checked in.
"""

import json
import keyword
import os
import re
import sys

import botocore
import botocore.loaders

OPERATIONS = """
CreateLoadBalancer DescribeLoadBalancers DeleteLoadBalancer
DescribeLoadBalancerAttributes ModifyLoadBalancerAttributes
CreateTargetGroup DescribeTargetGroups ModifyTargetGroup DeleteTargetGroup
DescribeTargetGroupAttributes ModifyTargetGroupAttributes
RegisterTargets DeregisterTargets DescribeTargetHealth
CreateListener DescribeListeners ModifyListener DeleteListener
AddTags RemoveTags DescribeTags
""".split()

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "crates", "vpclab-api", "src", "elbv2", "shapes.rs")

MODEL = botocore.loaders.Loader().load_service_model("elbv2", "service-2", "2015-12-01")
SHAPES = MODEL["shapes"]
assert MODEL["metadata"]["protocol"] == "query"

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


inputs, outputs = set(), set()


def walk(name, into):
    if name in into:
        return
    shape = SHAPES[name]
    into.add(name)
    if shape["type"] == "structure":
        for m in shape["members"].values():
            walk(m["shape"], into)
    elif shape["type"] == "list":
        walk(shape["member"]["shape"], into)
    elif shape["type"] == "map":
        for part in ("key", "value"):
            assert SHAPES[shape[part]["shape"]]["type"] == "string", name


for op in OPERATIONS:
    o = MODEL["operations"][op]
    if "input" in o:
        walk(o["input"]["shape"], inputs)
    if "output" in o:
        walk(o["output"]["shape"], outputs)


def rust_type(name):
    shape = SHAPES[name]
    t = shape["type"]
    if t == "structure":
        return name
    if t == "list":
        return f"Vec<{rust_type(shape['member']['shape'])}>"
    if t == "map":
        return "Vec<(String, String)>"
    return RUST_SCALARS[t]


def is_scalar(name):
    return SHAPES[name]["type"] in RUST_SCALARS


def parse_expr(shape_name, key_expr):
    shape = SHAPES[shape_name]
    t = shape["type"]
    if t in RUST_SCALARS:
        return f"q.scalar({key_expr})?"
    if t == "structure":
        return f"q.structure({key_expr}, {shape_name}::from_query)?"
    if t == "list":
        assert not shape.get("flattened"), shape_name
        item = shape["member"]["shape"]
        if is_scalar(item):
            return f"q.member_list({key_expr})?"
        return f"q.member_struct_list({key_expr}, {item}::from_query)?"
    if t == "map":
        return f"q.map_entries({key_expr})"
    raise SystemExit(t)


def write_expr(shape_name, field, tag):
    shape = SHAPES[shape_name]
    t = shape["type"]
    if t in RUST_SCALARS:
        return f'w.scalar("{tag}", &self.{field});'
    if t == "structure":
        return f'w.structure("{tag}", &self.{field});'
    if t == "list":
        item = shape["member"]["shape"]
        item_tag = shape["member"].get("locationName", "member")
        if is_scalar(item):
            return f'w.scalar_list("{tag}", "{item_tag}", &self.{field});'
        return f'w.struct_list("{tag}", "{item_tag}", &self.{field});'
    if t == "map":
        return f'w.map("{tag}", &self.{field});'
    raise SystemExit(t)


out = []
emit = out.append
emit("// @generated by scripts/codegen/elbv2_shapes.py from botocore "
     f"{botocore.__version__} (elbv2 2015-12-01). Do not edit by hand: change the script and rerun it.")
emit("//! The ELBv2 request and response shapes vpclab serves, as botocore describes them.")
emit("#![allow(missing_docs, clippy::all, clippy::pedantic, non_snake_case)]")
emit("")
emit("use crate::ec2::wire::{FromQuery, Query, QueryError, Timestamp, ToXml, XmlWriter};")
emit("")

for name in sorted(inputs | outputs):
    shape = SHAPES[name]
    if shape["type"] != "structure":
        continue
    input_only = name in inputs and name not in outputs
    required = set(shape.get("required", [])) if input_only else set()
    fields = []
    used = set()
    for mname, m in shape["members"].items():
        field = snake(mname)
        assert field not in used, (name, field)
        used.add(field)
        ty = rust_type(m["shape"])
        if mname not in required:
            ty = f"Option<{ty}>"
        fields.append((mname, m, field, ty))
    emit("#[derive(Clone, Debug, Default, PartialEq)]")
    emit(f"pub struct {name} {{")
    for mname, m, field, ty in fields:
        emit(f"    pub {field}: {ty},")
    emit("}")
    emit("")
    if name in inputs:
        emit(f"impl FromQuery for {name} {{")
        emit("    fn from_query(q: &Query, prefix: &str) -> Result<Self, QueryError> {")
        if not fields:
            emit("        let _ = (q, prefix);")
        emit("        Ok(Self {")
        for mname, m, field, ty in fields:
            key = m.get("locationName", mname)
            expr = parse_expr(m["shape"], f'&q.key(prefix, "{key}")')
            if mname in required:
                expr = f'q.required({expr}, &q.key(prefix, "{key}"))?'
            emit(f"            {field}: {expr},")
        emit("        })")
        emit("    }")
        emit("}")
        emit("")
    if name in outputs:
        emit(f"impl ToXml for {name} {{")
        emit("    fn write_members(&self, w: &mut XmlWriter) {")
        if not fields:
            emit("        let _ = w;")
        for mname, m, field, ty in fields:
            emit("        " + write_expr(m["shape"], field, m.get("locationName", mname)))
        emit("    }")
        emit("}")
        emit("")

emit("/// The operations served: name, request shape, response shape, result wrapper.")
emit("pub const OPERATIONS: &[(&str, &str, &str, &str)] = &[")
for op in OPERATIONS:
    o = MODEL["operations"][op]
    emit(f'    ("{op}", {json.dumps(o["input"]["shape"])}, {json.dumps(o["output"]["shape"])}, '
         f'{json.dumps(o["output"]["resultWrapper"])}),')
emit("];")
emit("")
emit("/// Each ELBv2 error code and its HTTP status, from the model's exception shapes.")
emit("pub const ERROR_STATUS: &[(&str, u16)] = &[")
for name in sorted(SHAPES):
    s = SHAPES[name]
    if s.get("exception") and "error" in s:
        emit(f'    ({json.dumps(s["error"]["code"])}, {s["error"].get("httpStatusCode", 400)}),')
emit("];")
emit("")

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    f.write("\n".join(out))
print(f"wrote {OUT}: {sum(1 for n in inputs | outputs if SHAPES[n]['type'] == 'structure')} structures", file=sys.stderr)
