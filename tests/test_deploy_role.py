"""deploy/deploy-role.yaml: the deploy workflow's role covers what `sam deploy` of template.yaml creates.

Each resource type of the transformed template (as CloudFormation receives it) needs the actions
CloudFormation calls, as the caller, to create, update and delete it; a type missing from
REQUIRED_ACTIONS fails until someone looks up its actions and adds them here and to the role.
"""

from __future__ import annotations

import fnmatch
from typing import Any

import pytest

from sauti_dev.template import PROJECT_ROOT, load_template, transformed_template

ROLE = PROJECT_ROOT / "deploy" / "deploy-role.yaml"
# What CloudFormation calls for each type (create, read, update, delete), from each resource type's
# schema "handlers" permissions, trimmed to the ones our properties use.
REQUIRED_ACTIONS: dict[str, list[str]] = {
    "AWS::ApiGatewayV2::Api": ["apigateway:POST", "apigateway:GET", "apigateway:PUT", "apigateway:DELETE"],
    "AWS::ApiGatewayV2::Stage": ["apigateway:POST", "apigateway:PATCH", "logs:CreateLogDelivery"],
    "AWS::ApiGatewayV2::DomainName": ["apigateway:POST", "acm:DescribeCertificate", "s3:GetObject"],
    "AWS::ApiGatewayV2::ApiMapping": ["apigateway:POST", "apigateway:DELETE"],
    "AWS::AutoScaling::AutoScalingGroup": [
        "autoscaling:CreateAutoScalingGroup",
        "autoscaling:UpdateAutoScalingGroup",
        "autoscaling:DeleteAutoScalingGroup",
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:EnableMetricsCollection",
        "ec2:RunInstances",
        "iam:PassRole",
        "iam:CreateServiceLinkedRole",
    ],
    "AWS::CloudWatch::Alarm": [
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DeleteAlarms",
        "cloudwatch:DescribeAlarms",
    ],
    "AWS::EC2::InternetGateway": ["ec2:CreateInternetGateway", "ec2:DeleteInternetGateway", "ec2:CreateTags"],
    "AWS::EC2::LaunchTemplate": [
        "ec2:CreateLaunchTemplate",
        "ec2:CreateLaunchTemplateVersion",
        "ec2:DeleteLaunchTemplate",
        "ec2:DescribeLaunchTemplates",
        "iam:PassRole",
    ],
    "AWS::EC2::NetworkInterface": [
        "ec2:CreateNetworkInterface",
        "ec2:ModifyNetworkInterfaceAttribute",
        "ec2:DeleteNetworkInterface",
    ],
    "AWS::EC2::Route": ["ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute"],
    "AWS::EC2::RouteTable": ["ec2:CreateRouteTable", "ec2:DeleteRouteTable"],
    "AWS::EC2::SecurityGroup": [
        "ec2:CreateSecurityGroup",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:DeleteSecurityGroup",
    ],
    "AWS::EC2::SecurityGroupEgress": ["ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress"],
    "AWS::EC2::Subnet": ["ec2:CreateSubnet", "ec2:ModifySubnetAttribute", "ec2:DeleteSubnet"],
    "AWS::EC2::SubnetRouteTableAssociation": ["ec2:AssociateRouteTable", "ec2:DisassociateRouteTable"],
    "AWS::EC2::VPC": ["ec2:CreateVpc", "ec2:ModifyVpcAttribute", "ec2:DeleteVpc"],
    "AWS::EC2::VPCEndpoint": ["ec2:CreateVpcEndpoint", "ec2:DeleteVpcEndpoints"],
    "AWS::EC2::VPCGatewayAttachment": ["ec2:AttachInternetGateway", "ec2:DetachInternetGateway"],
    "AWS::ElastiCache::ParameterGroup": [
        "elasticache:CreateCacheParameterGroup",
        "elasticache:ModifyCacheParameterGroup",
        "elasticache:DeleteCacheParameterGroup",
    ],
    "AWS::ElastiCache::ReplicationGroup": [
        "elasticache:CreateReplicationGroup",
        "elasticache:ModifyReplicationGroup",
        "elasticache:DeleteReplicationGroup",
        "elasticache:DescribeReplicationGroups",
        "elasticache:CreateSnapshot",
        "iam:CreateServiceLinkedRole",
    ],
    "AWS::ElastiCache::SubnetGroup": [
        "elasticache:CreateCacheSubnetGroup",
        "elasticache:DeleteCacheSubnetGroup",
    ],
    "AWS::Events::EventBus": ["events:CreateEventBus", "events:DeleteEventBus", "events:DescribeEventBus"],
    "AWS::Events::Rule": ["events:PutRule", "events:PutTargets", "events:RemoveTargets", "events:DeleteRule"],
    "AWS::IAM::InstanceProfile": [
        "iam:CreateInstanceProfile",
        "iam:AddRoleToInstanceProfile",
        "iam:RemoveRoleFromInstanceProfile",
        "iam:DeleteInstanceProfile",
        "iam:PassRole",
    ],
    "AWS::IAM::Role": [
        "iam:CreateRole",
        "iam:PutRolePolicy",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:DeleteRole",
        "iam:GetRole",
    ],
    "AWS::Lambda::EventInvokeConfig": [
        "lambda:PutFunctionEventInvokeConfig",
        "lambda:DeleteFunctionEventInvokeConfig",
    ],
    "AWS::Lambda::EventSourceMapping": [
        "lambda:CreateEventSourceMapping",
        "lambda:UpdateEventSourceMapping",
        "lambda:DeleteEventSourceMapping",
    ],
    "AWS::Lambda::Function": [
        "lambda:CreateFunction",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:PutFunctionConcurrency",
        "lambda:DeleteFunction",
        "lambda:GetFunction",
        "iam:PassRole",
        "s3:GetObject",
    ],
    "AWS::Lambda::LayerVersion": ["lambda:PublishLayerVersion", "lambda:DeleteLayerVersion", "s3:GetObject"],
    "AWS::Lambda::Permission": ["lambda:AddPermission", "lambda:RemovePermission"],
    "AWS::Lambda::Url": ["lambda:CreateFunctionUrlConfig", "lambda:DeleteFunctionUrlConfig"],
    "AWS::Logs::LogGroup": ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:DeleteLogGroup"],
    "AWS::RDS::DBInstance": [
        "rds:CreateDBInstance",
        "rds:ModifyDBInstance",
        "rds:DeleteDBInstance",
        "rds:DescribeDBInstances",
        "rds:CreateDBSnapshot",
        "iam:CreateServiceLinkedRole",
        "kms:CreateGrant",
        "secretsmanager:GetSecretValue",
    ],
    "AWS::RDS::DBParameterGroup": [
        "rds:CreateDBParameterGroup",
        "rds:ModifyDBParameterGroup",
        "rds:DeleteDBParameterGroup",
    ],
    "AWS::RDS::DBSubnetGroup": ["rds:CreateDBSubnetGroup", "rds:DeleteDBSubnetGroup"],
    "AWS::SES::ConfigurationSet": ["ses:CreateConfigurationSet", "ses:DeleteConfigurationSet"],
    "AWS::SES::ConfigurationSetEventDestination": [
        "ses:CreateConfigurationSetEventDestination",
        "ses:UpdateConfigurationSetEventDestination",
        "ses:DeleteConfigurationSetEventDestination",
    ],
    "AWS::SNS::Subscription": ["sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes"],
    "AWS::SNS::Topic": ["sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes"],
    "AWS::SNS::TopicPolicy": ["sns:SetTopicAttributes"],
    "AWS::SQS::Queue": [
        "sqs:CreateQueue",
        "sqs:SetQueueAttributes",
        "sqs:GetQueueAttributes",
        "sqs:DeleteQueue",
    ],
    "AWS::SQS::QueuePolicy": ["sqs:SetQueueAttributes"],
    "AWS::Scheduler::Schedule": ["scheduler:CreateSchedule", "scheduler:DeleteSchedule", "iam:PassRole"],
    "AWS::SecretsManager::Secret": [
        "secretsmanager:CreateSecret",
        "secretsmanager:GetRandomPassword",
        "secretsmanager:DeleteSecret",
    ],
    "Custom::Migrations": ["lambda:InvokeFunction"],
}
# What `sam deploy` itself calls before any resource: the change set, the transform, resolve_s3.
DEPLOY_ACTIONS = [
    "cloudformation:CreateChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:DescribeStackEvents",
    "cloudformation:GetTemplateSummary",
    "s3:CreateBucket",
    "s3:PutObject",
]


def role() -> dict[str, Any]:
    return load_template(ROLE).document


def allowed_actions() -> list[str]:
    policy = role()["Resources"]["DeployPolicy"]["Properties"]["PolicyDocument"]
    actions = []
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        actions += statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
    return actions


def covered(action: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(action.lower(), pattern.lower()) for pattern in patterns)


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_deploy_role_covers_every_resource_type_the_transformed_template_creates(environment):
    template = transformed_template(
        {
            "Environment": environment,
            "JwtIssuer": "https://api.example.org",
            "FrontDoorTruststoreUri": "s3://bucket/sauti-front-door/ca.pem",
        }
    )
    types = {resource["Type"] for resource in template["Resources"].values()}
    unknown = types - set(REQUIRED_ACTIONS)
    assert not unknown, f"look up the actions CloudFormation needs for {sorted(unknown)} and add them"

    patterns = allowed_actions()
    for type_ in sorted(types):
        missing = [action for action in REQUIRED_ACTIONS[type_] if not covered(action, patterns)]
        assert not missing, f"{type_}: the deploy role lacks {missing}"
    missing = [action for action in DEPLOY_ACTIONS if not covered(action, patterns)]
    assert not missing, f"sam deploy itself needs {missing}"


def test_parameter_types_resolved_through_ssm_are_allowed():
    ssm_types = [
        spec for spec in load_template().document["Parameters"].values() if "SSM::Parameter" in spec["Type"]
    ]
    if ssm_types:
        assert covered("ssm:GetParameters", allowed_actions())


def test_each_environment_trusts_only_its_own_github_environment():
    trust = role()["Resources"]["DeployRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert len(trust) == 1
    condition = trust[0]["Condition"]["StringEquals"]

    assert trust[0]["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert condition["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert condition["token.actions.githubusercontent.com:sub"] == {
        "Fn::Sub": "repo:${GitHubRepository}:environment:${Environment}"
    }
    assert "StringLike" not in trust[0]["Condition"], "a wildcard subject would let any ref assume it"
