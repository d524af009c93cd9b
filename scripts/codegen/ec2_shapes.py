#!/usr/bin/env python3
"""Generates crates/vpclab-api/src/ec2/shapes.rs from botocore's EC2 service model.

The EC2 wire (query-string input, XML output) is described exactly by botocore's
`ec2/2016-11-15/service-2.json`, which is what the real clients use to talk to AWS. This
script turns the shapes reachable from the operations vpclab serves into Rust: one struct
per structure shape, `FromQuery` for the shapes requests carry (EC2 query serialization:
`queryName`, else the capitalised `locationName`, else the member name; lists flattened as
`Name.N`), and `ToXml` for the shapes responses carry (`locationName`, lists as
`<name><item>…</item></name>`).

Usage: python3 scripts/codegen/ec2_shapes.py  (needs botocore importable; the test venv
has it: .venv/bin/python scripts/codegen/ec2_shapes.py). The output is checked in.
"""

import gzip
import json
import keyword
import os
import re
import sys

import botocore

OPERATIONS = """
DescribeRegions DescribeAvailabilityZones
CreateVpc DescribeVpcs DeleteVpc ModifyVpcAttribute DescribeVpcAttribute
AssociateVpcCidrBlock DisassociateVpcCidrBlock CreateDefaultVpc
CreateSubnet DescribeSubnets DeleteSubnet ModifySubnetAttribute
AssociateSubnetCidrBlock DisassociateSubnetCidrBlock
CreateRouteTable DescribeRouteTables DeleteRouteTable AssociateRouteTable
DisassociateRouteTable ReplaceRouteTableAssociation CreateRoute ReplaceRoute DeleteRoute
CreateInternetGateway AttachInternetGateway DetachInternetGateway DeleteInternetGateway
DescribeInternetGateways
CreateEgressOnlyInternetGateway DescribeEgressOnlyInternetGateways
DeleteEgressOnlyInternetGateway
AllocateAddress AssociateAddress DisassociateAddress ReleaseAddress DescribeAddresses
CreateNatGateway DescribeNatGateways DeleteNatGateway
CreateSecurityGroup DescribeSecurityGroups DeleteSecurityGroup
AuthorizeSecurityGroupIngress AuthorizeSecurityGroupEgress
RevokeSecurityGroupIngress RevokeSecurityGroupEgress DescribeSecurityGroupRules
CreateNetworkAcl DescribeNetworkAcls DeleteNetworkAcl CreateNetworkAclEntry
ReplaceNetworkAclEntry DeleteNetworkAclEntry ReplaceNetworkAclAssociation
CreateNetworkInterface DescribeNetworkInterfaces DeleteNetworkInterface
AttachNetworkInterface DetachNetworkInterface ModifyNetworkInterfaceAttribute
AssignPrivateIpAddresses UnassignPrivateIpAddresses
RunInstances DescribeInstances TerminateInstances StopInstances StartInstances
DescribePrefixLists DescribeManagedPrefixLists CreateManagedPrefixList
ModifyManagedPrefixList DeleteManagedPrefixList GetManagedPrefixListEntries
CreateVpcEndpoint DescribeVpcEndpoints ModifyVpcEndpoint DeleteVpcEndpoints
DescribeVpcEndpointServices
CreateVpcEndpointServiceConfiguration ModifyVpcEndpointServiceConfiguration
DescribeVpcEndpointServiceConfigurations DeleteVpcEndpointServiceConfigurations
DescribeVpcEndpointServicePermissions ModifyVpcEndpointServicePermissions
StartVpcEndpointServicePrivateDnsVerification
AcceptVpcEndpointConnections RejectVpcEndpointConnections DescribeVpcEndpointConnections
CreateFlowLogs DescribeFlowLogs DeleteFlowLogs
CreateVpcPeeringConnection AcceptVpcPeeringConnection RejectVpcPeeringConnection
DeleteVpcPeeringConnection DescribeVpcPeeringConnections
CreateTags DeleteTags DescribeTags
""".split()

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "crates", "vpclab-api", "src", "ec2", "shapes.rs")

model_path = os.path.join(os.path.dirname(botocore.__file__), "data", "ec2", "2016-11-15", "service-2.json.gz")
with gzip.open(model_path) as f:
    MODEL = json.load(f)
SHAPES = MODEL["shapes"]
assert MODEL["metadata"]["protocol"] == "ec2"

RUST_SCALARS = {"string": "String", "integer": "i32", "long": "i64", "boolean": "bool",
                "timestamp": "Timestamp", "double": "f64", "float": "f64", "blob": "String"}


def snake(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = s.lower()
    if keyword.iskeyword(s) or s in ("type", "match", "ref", "self", "crate", "mod", "move", "loop", "box", "where", "impl", "trait", "use", "fn", "struct", "enum", "pub", "let", "mut", "const", "static", "dyn", "async", "await", "macro", "override", "final", "priv", "virtual", "yield", "abstract", "become", "do", "typeof", "unsized", "try", "gen"):
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
        raise SystemExit(f"map shape {name} is not supported")


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
    return RUST_SCALARS[t]


def is_scalar(name):
    return SHAPES[name]["type"] in RUST_SCALARS


def query_name(member_name, member):
    if "queryName" in member:
        return member["queryName"]
    if "locationName" in member:
        n = member["locationName"]
        return n[0].upper() + n[1:]
    return member_name


def xml_name(member_name, member):
    return member.get("locationName", member_name)


def parse_expr(shape_name, key_expr):
    """A Rust expression reading the member named by `key_expr` (a &str) from query `q`."""
    shape = SHAPES[shape_name]
    t = shape["type"]
    if t in RUST_SCALARS:
        return f"q.scalar({key_expr})?"
    if t == "structure":
        return f"q.structure({key_expr}, {shape_name}::from_query)?"
    if t == "list":
        item = shape["member"]["shape"]
        if is_scalar(item):
            return f"q.scalar_list({key_expr})?"
        return f"q.struct_list({key_expr}, {item}::from_query)?"
    raise SystemExit(t)


def write_expr(shape_name, member, field, tag):
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
    raise SystemExit(t)


out = []
emit = out.append
emit("// @generated by scripts/codegen/ec2_shapes.py from botocore "
     f"{botocore.__version__} (ec2 2016-11-15). Do not edit by hand: change the script and rerun it.")
emit("//! The EC2 request and response shapes vpclab serves, as botocore describes them.")
emit("#![allow(missing_docs, clippy::all, clippy::pedantic, non_snake_case)]")
emit("")
emit("use super::wire::{FromQuery, Query, QueryError, Timestamp, ToXml, XmlWriter};")
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
            key = query_name(mname, m)
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
            emit("        " + write_expr(m["shape"], m, field, xml_name(mname, m)))
        emit("    }")
        emit("}")
        emit("")

emit("/// The operations served, with their request and response shapes.")
emit("pub const OPERATIONS: &[(&str, Option<&str>, Option<&str>)] = &[")
for op in OPERATIONS:
    o = MODEL["operations"][op]
    i = o.get("input", {}).get("shape")
    r = o.get("output", {}).get("shape")
    emit(f'    ("{op}", {("Some(" + json.dumps(i) + ")") if i else "None"}, {("Some(" + json.dumps(r) + ")") if r else "None"}),')
emit("];")
emit("")

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    f.write("\n".join(out))
print(f"wrote {OUT}: {sum(1 for n in inputs | outputs if SHAPES[n]['type'] == 'structure')} structures", file=sys.stderr)
