"""Drive FreshBooks' official Python SDK (freshbooks-sdk) against the sandbox, unchanged but for
its base URLs (FRESHBOOKS_API_URL / FRESHBOOKS_AUTH_URL). Prints one JSON line of findings.

Usage: python freshbooks_sdk_check.py '<the `ml-connector sandbox --json` line>'
"""
import json
import os
import sys

sandbox = json.loads(sys.argv[1])["freshbooks"]
os.environ["FRESHBOOKS_API_URL"] = sandbox["baseURL"]
os.environ["FRESHBOOKS_AUTH_URL"] = sandbox["authURL"]

from freshbooks import Client, FilterBuilder, IncludesBuilder  # noqa: E402  (the env must be set first)

credentials = sandbox["credentials"]
ids = sandbox["ids"]
fb = Client(client_id=credentials["clientId"], client_secret=credentials["clientSecret"],
            redirect_uri=credentials["redirectURI"], access_token=credentials["accessToken"],
            refresh_token=credentials["refreshToken"])
found = {}

me = fb.current_user()
found["business_ids"] = [m.business.id for m in me.business_memberships]
account_id = ids["accountId"]
business_id = ids["businessId"]

client = fb.clients.create(account_id, {"email": "sdk@client.test", "organization": "SDK Co", "fname": "Sam"})
found["client_id"] = client.id
clients = fb.clients.list(account_id, builders=[FilterBuilder().equals("email", "sdk@client.test")])
found["clients_listed"] = len(clients)
found["pages"] = clients.pages.total

invoice = fb.invoices.create(account_id, {
    "customerid": client.id, "invoice_number": "SDK-0001", "currency_code": "USD", "create_date": "2026-11-20",
    "lines": [{"type": 0, "name": "Design", "qty": 2, "unit_cost": {"amount": "125.50", "code": "USD"}}],
})
found["invoice_status"] = invoice.v3_status
found["invoice_amount"] = str(invoice.amount.amount)
read = fb.invoices.get(account_id, invoice.id, includes=IncludesBuilder().include("lines"))
found["lines"] = len(read.lines)
fb.invoices.update(account_id, invoice.id, {"action_mark_as_sent": True})
found["after_send"] = fb.invoices.get(account_id, invoice.id).v3_status
by_number = fb.invoices.list(account_id, builders=[FilterBuilder().equals("invoice_number", "SDK-0001")])
found["by_number"] = len(by_number)

project = fb.projects.create(business_id, {"title": "SDK project", "client_id": client.id})
found["project_title"] = fb.projects.get(business_id, project.id).title
found["projects_listed"] = len(fb.projects.list(business_id))
found["time_entries_listed"] = len(fb.time_entries.list(business_id))

token = fb.refresh_access_token()
found["refreshed"] = bool(token.access_token) and token.refresh_token != credentials["refreshToken"]
found["after_refresh_clients"] = len(fb.clients.list(account_id))
print(json.dumps(found, sort_keys=True))
