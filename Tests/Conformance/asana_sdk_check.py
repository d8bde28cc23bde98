"""Drive Asana's official Python SDK (asana 5.x) against the sandbox, unchanged but for its
host. Prints one JSON line of findings.

Usage: python asana_sdk_check.py '<the `ml-connector sandbox --json` line>'
"""
import json
import sys

import asana

sandbox = json.loads(sys.argv[1])["asana"]
configuration = asana.Configuration()
configuration.access_token = sandbox["credentials"]["personalAccessToken"]
configuration.host = sandbox["baseURL"]
client = asana.ApiClient(configuration)
ids = sandbox["ids"]
found = {}

me = asana.UsersApi(client).get_user("me", {"opt_fields": "name,email,workspaces.name"})
found["me"] = me["email"]
found["workspaces"] = [w["gid"] for w in me["workspaces"]]

projects = asana.ProjectsApi(client)
project = projects.create_project({"data": {"name": "SDK project", "workspace": ids["workspaceGid"], "team": ids["teamGid"]}}, {"opt_fields": "name,team"})
found["project"] = project["name"]
found["projects_listed"] = len(list(projects.get_projects_for_team(ids["teamGid"], {"limit": 100, "opt_fields": "name"})))

fields = asana.CustomFieldsApi(client)
field = fields.create_custom_field({"data": {"workspace": ids["workspaceGid"], "name": "SDK amount", "resource_subtype": "number", "precision": 2}}, {})
projects.add_custom_field_setting_for_project({"data": {"custom_field": field["gid"], "is_important": True}}, project["gid"], {})

tasks = asana.TasksApi(client)
task = tasks.create_task({"data": {"name": "SDK task", "projects": [project["gid"]], "assignee": "me", "due_on": "2026-12-01",
                                   "custom_fields": {field["gid"]: 12.5}}}, {"opt_fields": "name,custom_fields.number_value,custom_fields.display_value,assignee"})
found["task_amount"] = [f["display_value"] for f in task["custom_fields"]]
tasks.update_task({"data": {"completed": True}}, task["gid"], {})
found["completed"] = tasks.get_task(task["gid"], {"opt_fields": "completed"})["completed"]
found["tasks_listed"] = len(list(tasks.get_tasks({"project": project["gid"], "limit": 100, "opt_fields": "name"})))
asana.StoriesApi(client).create_story_for_task({"data": {"text": "hello from the SDK"}}, task["gid"], {})
found["stories"] = len(list(asana.StoriesApi(client).get_stories_for_task(task["gid"], {"opt_fields": "text"})))
print(json.dumps(found, sort_keys=True))
