//! Each intrinsic function, condition and refusal on small templates, with AWS's documented
//! examples where there are some.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use vpclab_cfn::{CfnError, Conditions, Context, Evaluator, Parameters, Resolved, Template};

struct Deployed;

impl Resolved for Deployed {
    fn reference(&self, logical_id: &str) -> Option<String> {
        (logical_id != "NotYet").then(|| format!("phys-{logical_id}"))
    }
    fn attribute(&self, logical_id: &str, attribute: &str) -> Option<Value> {
        match attribute {
            "Missing" => None,
            "List" => Some(json!(["a", "b"])),
            _ => Some(Value::String(format!("{logical_id}.{attribute}"))),
        }
    }
    fn import(&self, export_name: &str) -> Option<String> {
        (export_name != "absent").then(|| format!("import-{export_name}"))
    }
}

fn context() -> Context {
    Context {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        stack_name: "lab".into(),
        stack_id: "arn:aws:cloudformation:us-east-1:123456789012:stack/lab/1".into(),
        availability_zones: vec!["us-east-1a".into(), "us-east-1b".into()],
    }
}

const TEMPLATE: &str = r#"
Parameters:
  Env: {Type: String, Default: prod, AllowedValues: [prod, dev]}
  Subnets: {Type: 'List<AWS::EC2::Subnet::Id>', Default: 'subnet-1,subnet-2'}
  Count: {Type: Number, Default: 2}
Mappings:
  RegionMap:
    us-east-1: {AMI: ami-east, Zones: 3}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  TwoZones: !Equals [!Ref Count, 2]
  ProdAndTwo: !And [!Condition IsProd, !Condition TwoZones]
  DevOrTwo: !Or [!Condition IsDev, !Condition TwoZones]
  InEast: !Equals [!FindInMap [RegionMap, !Ref 'AWS::Region', AMI], ami-east]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
"#;

struct Stack {
    template: Template,
    parameters: Parameters,
    conditions: Conditions,
    context: Context,
}

fn stack(text: &str, given: &[(&str, &str)]) -> Stack {
    let template = Template::parse(text).unwrap();
    let given: BTreeMap<String, String> = given
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let parameters = template.parameters(&given).unwrap();
    let context = context();
    let conditions = template.conditions(&parameters, &context).unwrap();
    Stack {
        template,
        parameters,
        conditions,
        context,
    }
}

impl Stack {
    fn resolve(&self, value: Value) -> Result<Value, CfnError> {
        Evaluator::new(
            &self.template,
            &self.parameters,
            &self.context,
            &self.conditions,
        )
        .resolve(&value, &Deployed)
    }
    /// A YAML snippet, short forms and all, resolved.
    fn yaml(&self, snippet: &str) -> Result<Value, CfnError> {
        let wrapped =
            format!("Resources:\n  X:\n    Type: T\n    Properties:\n      V: {snippet}\n");
        let t = Template::parse(&wrapped).unwrap();
        self.resolve(t.resources["X"].properties["V"].clone())
    }
}

fn default_stack() -> Stack {
    stack(TEMPLATE, &[])
}

#[test]
fn ref_gives_parameters_pseudo_parameters_and_physical_ids() {
    let s = default_stack();
    assert_eq!(s.yaml("!Ref Env").unwrap(), json!("prod"));
    assert_eq!(
        s.yaml("!Ref Subnets").unwrap(),
        json!(["subnet-1", "subnet-2"])
    );
    // A Number parameter's Ref is a string.
    assert_eq!(s.yaml("!Ref Count").unwrap(), json!("2"));
    assert_eq!(s.yaml("!Ref Vpc").unwrap(), json!("phys-Vpc"));
    assert_eq!(s.yaml("!Ref AWS::Region").unwrap(), json!("us-east-1"));
    assert_eq!(
        s.yaml("!Ref AWS::AccountId").unwrap(),
        json!("123456789012")
    );
    assert_eq!(s.yaml("!Ref AWS::StackName").unwrap(), json!("lab"));
    assert_eq!(s.yaml("!Ref AWS::Partition").unwrap(), json!("aws"));
    assert_eq!(
        s.yaml("!Ref AWS::URLSuffix").unwrap(),
        json!("amazonaws.com")
    );
}

#[test]
fn no_value_removes_the_key_or_element() {
    let s = default_stack();
    assert_eq!(
        s.yaml("{A: !Ref 'AWS::NoValue', B: 1, C: [x, !If [IsDev, y, !Ref 'AWS::NoValue'], z]}")
            .unwrap(),
        json!({"B": 1, "C": ["x", "z"]})
    );
}

#[test]
fn get_att_in_both_forms() {
    let s = default_stack();
    assert_eq!(
        s.yaml("!GetAtt Vpc.CidrBlock").unwrap(),
        json!("Vpc.CidrBlock")
    );
    assert_eq!(
        s.yaml("!GetAtt [Vpc, DefaultSecurityGroup]").unwrap(),
        json!("Vpc.DefaultSecurityGroup")
    );
    assert_eq!(
        s.yaml("{'Fn::GetAtt': [Vpc, !Ref Env]}").unwrap(),
        json!("Vpc.prod")
    );
    let err = s.yaml("!GetAtt Vpc.Missing").unwrap_err();
    assert!(
        err.to_string()
            .contains("does not support attribute type Missing"),
        "{err}"
    );
}

#[test]
fn sub_replaces_variables_and_keeps_literals() {
    let s = default_stack();
    // AWS's examples: ${AWS::Region}, ${Res}, ${Res.Attr}, ${!Literal}.
    assert_eq!(
        s.yaml("!Sub 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc/${Vpc}'")
            .unwrap(),
        json!("arn:aws:ec2:us-east-1:123456789012:vpc/phys-Vpc")
    );
    assert_eq!(
        s.yaml("!Sub '${Vpc.CidrBlock} in ${Env}'").unwrap(),
        json!("Vpc.CidrBlock in prod")
    );
    assert_eq!(
        s.yaml("!Sub '${!Literal}-${Env}'").unwrap(),
        json!("${Literal}-prod")
    );
    assert_eq!(
        s.yaml("!Sub ['www.${Domain}', {Domain: !Join ['.', [example, com]]}]")
            .unwrap(),
        json!("www.example.com")
    );
    assert_eq!(
        s.yaml("!Sub '10.${Count}.0.0/16'").unwrap(),
        json!("10.2.0.0/16")
    );
}

#[test]
fn join_select_split() {
    let s = default_stack();
    // AWS's examples.
    assert_eq!(s.yaml("!Join [':', [a, b, c]]").unwrap(), json!("a:b:c"));
    assert_eq!(
        s.yaml("!Select ['1', [apples, grapes, oranges, mangoes]]")
            .unwrap(),
        json!("grapes")
    );
    assert_eq!(
        s.yaml("!Split ['|', 'a|b|c']").unwrap(),
        json!(["a", "b", "c"])
    );
    assert_eq!(
        s.yaml("!Split ['|', 'a||c|']").unwrap(),
        json!(["a", "", "c", ""])
    );
    assert_eq!(
        s.yaml("!Join [',', !Ref Subnets]").unwrap(),
        json!("subnet-1,subnet-2")
    );
    assert_eq!(
        s.yaml("!Select [2, !Split [',', 'x,y,z']]").unwrap(),
        json!("z")
    );
    assert_eq!(s.yaml("!Select [1, !GetAtt Vpc.List]").unwrap(), json!("b"));
    assert_eq!(
        s.yaml("!Select [3, [a, b]]").unwrap_err().to_string(),
        "Template error: Fn::Select cannot select nonexistent value at index 3"
    );
}

#[test]
fn get_azs_for_the_stacks_region() {
    let s = default_stack();
    assert_eq!(
        s.yaml("!GetAZs").unwrap(),
        json!(["us-east-1a", "us-east-1b"])
    );
    assert_eq!(
        s.yaml("!GetAZs ''").unwrap(),
        json!(["us-east-1a", "us-east-1b"])
    );
    assert_eq!(
        s.yaml("!GetAZs us-east-1").unwrap(),
        json!(["us-east-1a", "us-east-1b"])
    );
    assert_eq!(
        s.yaml("!Select [0, !GetAZs {Ref: 'AWS::Region'}]").unwrap(),
        json!("us-east-1a")
    );
    assert!(s.yaml("!GetAZs eu-west-1").is_err());
}

#[test]
fn if_picks_the_branch_of_its_condition() {
    let s = default_stack();
    assert_eq!(s.yaml("!If [IsProd, big, small]").unwrap(), json!("big"));
    assert_eq!(s.yaml("!If [IsDev, big, small]").unwrap(), json!("small"));
    let dev = stack(TEMPLATE, &[("Env", "dev")]);
    assert_eq!(
        dev.yaml("!If [IsProd, big, small]").unwrap(),
        json!("small")
    );
    assert!(matches!(
        s.yaml("!If [Nope, a, b]"),
        Err(CfnError::Condition(_))
    ));
}

#[test]
fn find_in_map() {
    let s = default_stack();
    assert_eq!(
        s.yaml("!FindInMap [RegionMap, !Ref 'AWS::Region', AMI]")
            .unwrap(),
        json!("ami-east")
    );
    assert_eq!(
        s.yaml("!FindInMap [RegionMap, us-east-1, Zones]").unwrap(),
        json!(3)
    );
    assert_eq!(
        s.yaml("!FindInMap [RegionMap, eu-west-1, AMI]")
            .unwrap_err()
            .to_string(),
        "Template error: Unable to get mapping for RegionMap::eu-west-1::AMI"
    );
}

#[test]
fn base64_is_standard_base64() {
    let s = default_stack();
    // AWS's example: !Base64 AWS CloudFormation → QVdTIENsb3VkRm9ybWF0aW9u
    assert_eq!(
        s.yaml("!Base64 AWS CloudFormation").unwrap(),
        json!("QVdTIENsb3VkRm9ybWF0aW9u")
    );
    assert_eq!(
        s.yaml("!Base64 {'Fn::Sub': 'a${Env}'}").unwrap(),
        json!("YXByb2Q=")
    );
}

#[test]
fn cidr_follows_awss_example() {
    let s = default_stack();
    assert_eq!(
        s.yaml("!Cidr ['192.168.0.0/24', 6, 5]").unwrap(),
        json!([
            "192.168.0.0/27",
            "192.168.0.32/27",
            "192.168.0.64/27",
            "192.168.0.96/27",
            "192.168.0.128/27",
            "192.168.0.160/27"
        ])
    );
    assert_eq!(
        s.yaml("!Select [1, !Cidr ['10.0.0.0/16', '4', '8']]")
            .unwrap(),
        json!("10.0.1.0/24")
    );
}

#[test]
fn import_value() {
    let s = default_stack();
    assert_eq!(
        s.yaml("!ImportValue {'Fn::Sub': '${Env}-VpcId'}").unwrap(),
        json!("import-prod-VpcId")
    );
    assert_eq!(
        s.yaml("!ImportValue absent").unwrap_err().to_string(),
        "Template error: No export named absent found"
    );
}

#[test]
fn conditions_evaluate() {
    let s = default_stack();
    let held: Vec<(&str, bool)> = s.conditions.iter().collect();
    assert_eq!(
        held,
        [
            ("IsProd", true),
            ("IsDev", false),
            ("TwoZones", true),
            ("ProdAndTwo", true),
            ("DevOrTwo", true),
            ("InEast", true)
        ]
    );
    let dev = stack(TEMPLATE, &[("Env", "dev"), ("Count", "3")]);
    assert!(!dev.conditions.holds("ProdAndTwo").unwrap());
    assert!(dev.conditions.holds("DevOrTwo").unwrap());
    assert!(!dev.conditions.holds("TwoZones").unwrap());
}

#[test]
fn errors_name_the_resource() {
    let t = Template::parse(
        "Resources:\n  Sub:\n    Type: T\n    Properties:\n      Az: !Select [5, !GetAZs '']\n",
    )
    .unwrap();
    let p = t.parameters(&BTreeMap::new()).unwrap();
    let c = t.conditions(&p, &context()).unwrap();
    let ctx = context();
    let err = Evaluator::new(&t, &p, &ctx, &c)
        .resolve_properties("Sub", &Deployed)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Template error: Sub: Fn::Select cannot select nonexistent value at index 5"
    );
}

#[test]
fn outputs_resolve_with_their_exports() {
    let s = stack(
        &format!(
            "{TEMPLATE}Outputs:\n  VpcId:\n    Value: !Ref Vpc\n    Export: {{Name: !Sub '${{AWS::StackName}}-VpcId'}}\n  DevOnly:\n    Condition: IsDev\n    Value: x\n"
        ),
        &[],
    );
    let outputs = Evaluator::new(&s.template, &s.parameters, &s.context, &s.conditions)
        .resolve_outputs(&Deployed)
        .unwrap();
    assert_eq!(outputs.len(), 1);
    assert_eq!(outputs[0].name, "VpcId");
    assert_eq!(outputs[0].value, json!("phys-Vpc"));
    assert_eq!(outputs[0].export_name.as_deref(), Some("lab-VpcId"));
}

#[test]
fn a_resource_not_yet_created_has_no_physical_id() {
    let t = Template::parse(
        "Resources:\n  NotYet: {Type: T}\n  B:\n    Type: T\n    Properties: {X: !Ref NotYet}\n",
    )
    .unwrap();
    let p = t.parameters(&BTreeMap::new()).unwrap();
    let ctx = context();
    let c = t.conditions(&p, &ctx).unwrap();
    assert!(
        Evaluator::new(&t, &p, &ctx, &c)
            .resolve_properties("B", &Deployed)
            .is_err()
    );
}

#[test]
fn json_templates_parse_too() {
    let t = Template::parse(
        r#"{"AWSTemplateFormatVersion": "2010-09-09",
            "Parameters": {"Cidr": {"Type": "String", "Default": "10.0.0.0/16"}},
            "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Ref": "Cidr"}}},
                          "Igw": {"Type": "AWS::EC2::InternetGateway"},
                          "Attach": {"Type": "AWS::EC2::VPCGatewayAttachment", "DependsOn": "Igw",
                                     "Properties": {"VpcId": {"Ref": "Vpc"}}}}}"#,
    )
    .unwrap();
    assert_eq!(
        t.resources.keys().collect::<Vec<_>>(),
        ["Vpc", "Igw", "Attach"]
    );
    assert_eq!(t.resources["Attach"].depends_on, ["Igw"]);
    let p = t.parameters(&BTreeMap::new()).unwrap();
    let c = t.conditions(&p, &context()).unwrap();
    assert_eq!(t.order(&c).unwrap(), ["Vpc", "Igw", "Attach"]);
}
