"""Drive Atlassian's Python client (jira 3.10.x, pycontribs) against the sandbox, unchanged
but for the server URL. Prints one JSON line of findings.

Usage: python jira_sdk_check.py '<the `ml-connector sandbox --json` line>'
"""
import datetime
import json
import sys

from jira import JIRA

sandbox = json.loads(sys.argv[1])["jira"]
credentials = sandbox["credentials"]
ids = sandbox["ids"]
jira = JIRA(server=sandbox["baseURL"], basic_auth=(credentials["email"], credentials["apiToken"]))
found = {}

found["me"] = jira.myself()["emailAddress"]
found["deployment"] = jira.server_info()["deploymentType"]

issue = jira.create_issue(fields={"project": {"key": ids["projectKey"]}, "issuetype": {"name": "Task"},
                                  "summary": "SDK issue", "description": "Made by the official client",
                                  "labels": ["sdk", "mlc-sdk-1"]})
found["created"] = issue.key
found["labels"] = sorted(issue.fields.labels)

results = jira.enhanced_search_issues('project = %s AND labels = "mlc-sdk-1"' % ids["projectKey"], fields="summary,labels")
found["searched"] = [i.key for i in results]

worklog = jira.add_worklog(issue.key, timeSpentSeconds=3600, comment="An hour",
                           started=datetime.datetime(2026, 3, 1, 9, 15, tzinfo=datetime.timezone.utc))
found["worklog_seconds"] = worklog.timeSpentSeconds
found["worklogs"] = len(jira.worklogs(issue.key))

jira.transition_issue(issue, "Done")
found["status"] = jira.issue(issue.key).fields.status.name
print(json.dumps(found, sort_keys=True))
