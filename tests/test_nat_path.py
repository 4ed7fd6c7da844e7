"""The NAT path of docs/deploy.md, checked against the template's security groups and routes.

The document's table says how each packet of a function's HTTPS call travels and which rule lets it
pass; a `rule` step must be allowed by a rule of that group, a `tracked` step must answer an earlier
step of the same group in the other direction (security groups track connections per interface).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

import pytest

from sauti_dev.template import PROJECT_ROOT, load_template

DOC = PROJECT_ROOT / "docs" / "deploy.md"


@dataclass(frozen=True)
class Step:
    number: int
    group: str
    direction: str
    protocol: str
    ports: tuple[int, int]
    peer: str
    allowed_by: str


def documented_steps() -> list[Step]:
    section = DOC.read_text().split("## The NAT path", 1)[1].split("\n## ", 1)[0]
    steps = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 9 and cells[0].isdigit():
            low, _, high = cells[6].partition("-")
            steps.append(
                Step(
                    number=int(cells[0]),
                    group=cells[3].strip("`"),
                    direction=cells[4],
                    protocol=cells[5],
                    ports=(int(low), int(high or low)),
                    peer=cells[7],
                    allowed_by=cells[8],
                )
            )
    return steps


def rules(template: Any, group: str, direction: str) -> list[dict[str, Any]]:
    key = "SecurityGroupIngress" if direction == "ingress" else "SecurityGroupEgress"
    found = list(template.resources[group]["Properties"].get(key, []))
    standalone = (
        "AWS::EC2::SecurityGroupIngress" if direction == "ingress" else "AWS::EC2::SecurityGroupEgress"
    )
    found += [
        r["Properties"]
        for r in template.resources_of_type(standalone).values()
        if r["Properties"]["GroupId"] == {"Ref": group}
    ]
    return found


def allows(rule: dict[str, Any], step: Step) -> bool:
    if str(rule["IpProtocol"]) not in (step.protocol, "-1"):
        return False
    if str(rule["IpProtocol"]) != "-1" and not (
        int(rule["FromPort"]) <= step.ports[0] and step.ports[1] <= int(rule["ToPort"])
    ):
        return False
    cidr = rule.get("CidrIp")
    return cidr is not None and ipaddress.ip_network(step.peer).subnet_of(ipaddress.ip_network(cidr))


@pytest.fixture(scope="module")
def template():
    return load_template()


def test_the_document_describes_the_whole_round_trip():
    steps = documented_steps()

    assert [step.number for step in steps] == list(range(1, len(steps) + 1))
    assert {step.group for step in steps} >= {
        "FunctionSecurityGroup",
        "NatInterfaceSecurityGroup",
        "NatSecurityGroup",
    }
    assert steps[-1].group == "FunctionSecurityGroup" and steps[-1].direction == "ingress"


@pytest.mark.parametrize("step", documented_steps(), ids=lambda step: f"step-{step.number}")
def test_each_step_of_the_nat_path_is_let_through_by_the_groups_of_the_template(template, step):
    if step.allowed_by == "rule":
        assert any(allows(rule, step) for rule in rules(template, step.group, step.direction)), (
            f"step {step.number}: {step.group} {step.direction} drops {step.protocol} "
            f"{step.ports} {step.peer}"
        )
    else:
        match = re.fullmatch(r"tracked: step (\d+)", step.allowed_by)
        assert match, step.allowed_by
        earlier = documented_steps()[int(match[1]) - 1]
        assert earlier.number < step.number and earlier.allowed_by == "rule"
        assert (earlier.group, earlier.direction) == (
            step.group,
            "egress" if step.direction == "ingress" else "ingress",
        ), f"step {step.number} is not the reply of step {earlier.number} on the same interface"


def test_the_interfaces_carry_the_groups_the_document_names(template):
    interface = template.resources["NatNetworkInterface"]["Properties"]
    launch = template.resources["NatLaunchTemplate"]["Properties"]["LaunchTemplateData"]
    primary = next(i for i in launch["NetworkInterfaces"] if i["DeviceIndex"] == 0)
    route = template.resources["PrivateDefaultRoute"]["Properties"]

    assert interface["GroupSet"] == [{"Ref": "NatInterfaceSecurityGroup"}]
    assert interface["SourceDestCheck"] is False
    assert primary["Groups"] == [{"Ref": "NatSecurityGroup"}]
    assert route == {
        **route,
        "DestinationCidrBlock": "0.0.0.0/0",
        "NetworkInterfaceId": {"Ref": "NatNetworkInterface"},
    }


def test_the_instance_is_fck_nat_attaching_the_fixed_interface(template):
    launch = template.resources["NatLaunchTemplate"]["Properties"]["LaunchTemplateData"]
    user_data = launch["UserData"]["Fn::Base64"]["Fn::Sub"]

    assert "eni_id=${NatNetworkInterface}" in user_data and "/etc/fck-nat.conf" in user_data
    assert "iptables" not in user_data, "fck-nat configures forwarding; no hand-written rules"
    assert "fck-nat" in template.document["Parameters"]["NatImageId"]["Description"]
