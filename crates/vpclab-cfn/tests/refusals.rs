//! What vpclab refuses, and the order it creates resources in.

use std::collections::BTreeMap;

use vpclab_cfn::{CfnError, Context, Template};

fn context() -> Context {
    Context {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        stack_name: "lab".into(),
        stack_id: "arn:aws:cloudformation:us-east-1:123456789012:stack/lab/1".into(),
        availability_zones: vec!["us-east-1a".into()],
    }
}

fn order(text: &str) -> Result<Vec<String>, CfnError> {
    let t = Template::parse(text)?;
    let p = t.parameters(&BTreeMap::new())?;
    let c = t.conditions(&p, &context())?;
    t.order(&c)
}

#[test]
fn order_follows_references_then_template_order() {
    let text = r#"
Parameters:
  WithNat: {Type: String, Default: 'no'}
Conditions:
  Nat: !Equals [!Ref WithNat, 'yes']
Resources:
  Route:
    Type: AWS::EC2::Route
    DependsOn: [Attach]
    Properties:
      RouteTableId: !Ref Table
      GatewayId: !If [Nat, !Ref NatGw, !Ref Igw]
  Table:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Sub '${Vpc}'}
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !GetAtt Vpc.VpcId, InternetGatewayId: !Ref Igw}
  Igw: {Type: AWS::EC2::InternetGateway}
  Vpc: {Type: AWS::EC2::VPC}
  NatGw:
    Type: AWS::EC2::NatGateway
    Condition: Nat
    Properties: {SubnetId: !Sub '${Vpc.DefaultSubnet}'}
"#;
    // Each step takes the first resource in template order whose references are all placed.
    // NatGw is absent and the false branch's reference to it does not count.
    assert_eq!(
        order(text).unwrap(),
        ["Igw", "Vpc", "Table", "Attach", "Route"]
    );
}

#[test]
fn a_cycle_is_refused_naming_its_members() {
    let text = r#"
Resources:
  Outside:
    Type: T
    Properties: {X: !Ref A}
  A:
    Type: T
    Properties: {X: !GetAtt B.Id}
  B:
    Type: T
    Properties: {X: !Sub '${A}'}
"#;
    let err = order(text).unwrap_err();
    assert_eq!(
        err,
        CfnError::CircularDependency(vec!["A".into(), "B".into()])
    );
    assert_eq!(
        err.to_string(),
        "Circular dependency between resources: [A, B]"
    );
}

#[test]
fn a_reference_to_nothing_is_refused() {
    let text =
        "Resources:\n  A:\n    Type: T\n    DependsOn: Ghost\n    Properties: {X: !Ref Phantom}\n";
    assert_eq!(
        order(text).unwrap_err().to_string(),
        "Template format error: Unresolved resource dependencies [Ghost, Phantom] in the Resources block of the template"
    );
    // A resource whose condition is false is absent too.
    let text = "Conditions:\n  Never: !Equals [a, b]\nResources:\n  Gone: {Type: T, Condition: Never}\n  A:\n    Type: T\n    Properties: {X: !Ref Gone}\n";
    assert_eq!(
        order(text).unwrap_err(),
        CfnError::UnresolvedDependencies(vec!["Gone".into()])
    );
}

#[test]
fn transforms_are_refused() {
    let err =
        Template::parse("Transform: AWS::Serverless-2016-10-31\nResources:\n  A: {Type: T}\n")
            .unwrap_err();
    assert!(matches!(err, CfnError::Transform(_)));
    assert!(
        err.to_string()
            .starts_with("vpclab does not expand transforms")
    );
}

#[test]
fn an_unknown_condition_is_refused() {
    let in_condition = "Conditions:\n  A: !Not [!Condition Missing]\nResources:\n  R: {Type: T}\n";
    assert!(matches!(order(in_condition), Err(CfnError::Condition(m)) if m.contains("Missing")));
    let on_resource = "Resources:\n  R: {Type: T, Condition: Missing}\n";
    assert!(matches!(order(on_resource), Err(CfnError::Condition(m)) if m.contains("Missing")));
    let circular = "Conditions:\n  A: !Not [!Condition B]\n  B: !Not [!Condition A]\nResources:\n  R: {Type: T}\n";
    assert!(matches!(order(circular), Err(CfnError::Condition(_))));
}

#[test]
fn conditions_cannot_see_resources() {
    let text = "Conditions:\n  A: !Equals [!Ref R, x]\nResources:\n  R: {Type: T}\n";
    let err = order(text).unwrap_err();
    assert!(
        err.to_string()
            .contains("Cannot reference resources in the Conditions block"),
        "{err}"
    );
}

#[test]
fn a_missing_parameter_is_refused() {
    let text = "Parameters:\n  Cidr: {Type: String}\nResources:\n  R: {Type: T}\n";
    assert_eq!(
        order(text).unwrap_err().to_string(),
        "Parameters: [Cidr] must have values"
    );
}

#[test]
fn a_value_outside_allowed_values_is_refused() {
    let t = Template::parse("Parameters:\n  Env: {Type: String, Default: prod, AllowedValues: [prod, dev]}\nResources:\n  R: {Type: T}\n").unwrap();
    let given = BTreeMap::from([("Env".to_string(), "test".to_string())]);
    assert_eq!(
        t.parameters(&given).unwrap_err().to_string(),
        "Parameter 'Env' must be one of AllowedValues"
    );
}

#[test]
fn malformed_templates_are_refused() {
    assert!(matches!(
        Template::parse("Resources: [\n"),
        Err(CfnError::Syntax(_))
    ));
    assert!(matches!(
        Template::parse("Description: none\n"),
        Err(CfnError::Format(_))
    ));
    assert!(matches!(
        Template::parse("Resources:\n  A: {Properties: {}}\n"),
        Err(CfnError::Format(_))
    ));
    assert!(matches!(
        Template::parse("Resources:\n  A: !Frob {Type: T}\n"),
        Err(CfnError::Syntax(_))
    ));
}
