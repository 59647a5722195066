"""Translates template.yaml with aws-sam-translator, as `sam deploy` would, and prints what it makes.

Fails when the translation fails, a function of the spec is missing or has no route, the history
route has no authorizer (or its preflight has one), or the relay has no schedule.
"""
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

FUNCTIONS = {
    "CreateIntentFunction": "/api/public/payments",
    "YooKassaWebhookFunction": "/api/webhooks/yookassa",
    "StripeWebhookFunction": "/api/webhooks/stripe",
    "StarsInvoiceFunction": "/api/v1/purchase/invoice",
    "StarsPurchaseFunction": "/api/v1/purchase",
    "StarsWebhookFunction": "/api/v1/purchase/webhook",
    "GetPaymentFunction": "/api/v1/payments/{payment_id}",
    "PaymentHistoryFunction": "/api/v1/payments/history",
    "GetPurchaseFunction": "/api/v1/purchase/{purchase_id}",
    "PlansFunction": "/plans",
    "HealthFunction": "/health",
}
READS = {"GetPaymentFunction", "PaymentHistoryFunction", "GetPurchaseFunction", "PlansFunction", "HealthFunction"}


class NoManagedPolicies:
    """The template names no managed policies by name, so none need looking up."""

    def load(self):
        return {}


def main(path):
    # Translation fills in pseudo parameters such as AWS::Region; no AWS account is contacted.
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    with open(path) as f:
        template = yaml_parse(f.read())
    # `sam package` uploads each local CodeUri to S3 and writes its address in; do the same.
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = f"s3://payment-functions-artifacts/{name}.zip"
    parameters = {
        "YooKassaReturnUrl": "https://shop.example/return",
        "JwtIssuer": "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_example",
        "JwtAudience": "example-client-id",
    }
    output = transform(template, parameters, NoManagedPolicies())
    resources = output["Resources"]
    paths = resources["PaymentsApi"]["Properties"]["Body"]["paths"]
    for name, route in FUNCTIONS.items():
        function = resources.get(name)
        if function is None or function["Type"] != "AWS::Lambda::Function":
            sys.exit(f"{name} did not translate to a Lambda function")
        properties = function["Properties"]
        if properties.get("Handler") != "bootstrap" or properties.get("Runtime") != "provided.al2023":
            sys.exit(f"{name} is not a provided.al2023 bootstrap function")
        method = "get" if name in READS else "post"
        if method not in paths.get(route, {}):
            sys.exit(f"{name}: no {method.upper()} {route} route")
    history = paths["/api/v1/payments/history"]
    if not history["get"].get("security"):
        sys.exit("the payment history route has no authorizer")
    if history["options"].get("security"):
        sys.exit("the payment history preflight must not require a token")
    relay = resources.get("EventsRelayFunction")
    if relay is None or relay["Type"] != "AWS::Lambda::Function":
        sys.exit("EventsRelayFunction did not translate to a Lambda function")
    if not any(r["Type"] == "AWS::Events::Rule" for r in resources.values()):
        sys.exit("EventsRelayFunction has no schedule")
    kinds = sorted({r["Type"] for r in resources.values()})
    print(f"template translated: {len(resources)} resources ({', '.join(kinds)})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "template.yaml")
