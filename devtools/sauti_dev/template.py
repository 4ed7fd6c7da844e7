"""Reading ``template.yaml`` the way SAM would, for the local gateway and the `sauti` command."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = PROJECT_ROOT / "template.yaml"


class _CloudFormationLoader(yaml.SafeLoader):
    """Reads CloudFormation short tags (!Ref, !Sub, !GetAtt, ...) as their long forms."""


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _construct_tag)


@dataclass(frozen=True)
class HttpRoute:
    method: str  # upper case, or ANY
    path: str  # /songs/{id}, or $default
    function: str
    authorized: bool


@dataclass(frozen=True)
class Cors:
    """A CORS configuration of the template (the HTTP API's, or a function URL's); origins aside,
    which are a deploy parameter (the local stack's: CORS_ALLOWED_ORIGINS)."""

    allow_methods: frozenset[str] = frozenset()
    allow_headers: frozenset[str] = frozenset()  # lower case
    expose_headers: frozenset[str] = frozenset()  # lower case
    max_age: int = 0

    @classmethod
    def of(cls, configuration: dict[str, Any]) -> Cors:
        return cls(
            allow_methods=frozenset(m.upper() for m in configuration.get("AllowMethods", ())),
            allow_headers=frozenset(h.lower() for h in configuration.get("AllowHeaders", ())),
            expose_headers=frozenset(h.lower() for h in configuration.get("ExposeHeaders", ())),
            max_age=int(configuration.get("MaxAge", 0)),
        )


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_uri: Path
    handler: str
    routes: tuple[HttpRoute, ...] = ()
    queues: tuple[str, ...] = ()  # logical ids of the SQS queues that trigger it
    schedules: tuple[str, ...] = ()
    event_patterns: tuple[dict[str, Any], ...] = ()  # EventBridge rules on the domain-event bus
    job_name: str | None = None  # `sauti run-job NAME`
    # Routes the front door sends to this function's URL instead of the HTTP API ("POST /path/{id}")
    front_door_routes: tuple[str, ...] = ()
    environment: dict[str, Any] = field(default_factory=dict)
    url_cors: Cors | None = None  # its function URL's


@dataclass(frozen=True)
class Template:
    document: dict[str, Any]

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.document.get("Resources", {})
        return resources

    def resources_of_type(self, type_: str) -> dict[str, dict[str, Any]]:
        return {name: res for name, res in self.resources.items() if res.get("Type") == type_}

    @property
    def global_environment(self) -> dict[str, Any]:
        variables: dict[str, Any] = (
            self.document.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
        )
        return variables

    @property
    def jwt_configuration(self) -> dict[str, Any]:
        for api in self.resources_of_type("AWS::Serverless::HttpApi").values():
            authorizers = api.get("Properties", {}).get("Auth", {}).get("Authorizers", {})
            for authorizer in authorizers.values():
                if "JwtConfiguration" in authorizer:
                    configuration: dict[str, Any] = authorizer["JwtConfiguration"]
                    return configuration
        return {}

    @property
    def api_cors(self) -> Cors:
        for api in self.resources_of_type("AWS::Serverless::HttpApi").values():
            configuration = api.get("Properties", {}).get("CorsConfiguration")
            if configuration:
                return Cors.of(configuration)
        return Cors()

    @functools.cached_property
    def functions(self) -> dict[str, FunctionSpec]:
        # A queue trigger written as its own event source mapping (the scoped-policy form) counts too.
        mapped: dict[str, list[str]] = {}
        for mapping in self.resources_of_type("AWS::Lambda::EventSourceMapping").values():
            mapping_props = mapping["Properties"]
            source, target = mapping_props["EventSourceArn"], mapping_props["FunctionName"]
            if "Fn::GetAtt" in source and "Ref" in target:
                mapped.setdefault(target["Ref"], []).append(source["Fn::GetAtt"][0])
        specs = {}
        for logical_id, resource in self.resources_of_type("AWS::Serverless::Function").items():
            props = resource.get("Properties", {})
            routes, schedules, patterns = [], [], []
            queues = list(mapped.get(logical_id, ()))
            for event in props.get("Events", {}).values():
                event_props = event.get("Properties", {})
                if event["Type"] == "HttpApi":
                    authorizer = event_props.get("Auth", {}).get("Authorizer")
                    routes.append(
                        HttpRoute(
                            method=str(event_props.get("Method", "ANY")).upper(),
                            path=event_props.get("Path", "$default"),
                            function=logical_id,
                            authorized=authorizer != "NONE",
                        )
                    )
                elif event["Type"] == "SQS":
                    queues.append(event_props["Queue"]["Fn::GetAtt"][0])
                elif event["Type"] == "EventBridgeRule":
                    patterns.append(event_props["Pattern"])
                elif event["Type"] in ("Schedule", "ScheduleV2"):
                    schedules.append(event_props.get("Schedule") or event_props.get("ScheduleExpression"))
            url_cors = props.get("FunctionUrlConfig", {}).get("Cors")
            specs[logical_id] = FunctionSpec(
                logical_id=logical_id,
                code_uri=PROJECT_ROOT / props["CodeUri"],
                handler=props["Handler"],
                routes=tuple(routes),
                queues=tuple(queues),
                schedules=tuple(schedules),
                event_patterns=tuple(patterns),
                job_name=resource.get("Metadata", {}).get("SautiJob"),
                front_door_routes=tuple(resource.get("Metadata", {}).get("FrontDoorRoutes", ())),
                environment=props.get("Environment", {}).get("Variables", {}),
                url_cors=Cors.of(url_cors) if url_cors else None,
            )
        return specs

    @property
    def routes(self) -> list[HttpRoute]:
        return [route for spec in self.functions.values() for route in spec.routes]

    def function_for_job(self, job_name: str) -> FunctionSpec | None:
        return next((spec for spec in self.functions.values() if spec.job_name == job_name), None)


@functools.cache
def load_template(path: Path = TEMPLATE_PATH) -> Template:
    return Template(yaml.load(path.read_text(), Loader=_CloudFormationLoader))  # noqa: S506 - SafeLoader subclass


def transformed_template(parameters: dict[str, str], region: str = "eu-west-1") -> dict[str, Any]:
    """The template as CloudFormation receives it after ``sam package`` and the SAM transform.

    The code locations become S3 URIs (as ``sam package`` writes them); ``parameters`` are the
    stack's parameter values (SAM resolves a few of them, such as ``Environment`` in names).
    """
    import copy

    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    document = copy.deepcopy(load_template().document)
    for resource in document["Resources"].values():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str):
                properties[key] = f"s3://sauti-artifacts/{properties[key].strip('/')}.zip"

    session = boto3.session.Session(region_name=region)
    translator = Translator(None, Parser(), boto_session=session)
    # Every policy of the template is inline or an ARN: no managed-policy names to look up.
    transformed: dict[str, Any] = translator.translate(
        document, parameter_values=dict(parameters), get_managed_policy_map=dict
    )
    return transformed
