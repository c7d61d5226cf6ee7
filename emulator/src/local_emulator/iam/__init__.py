"""The emulator as a judge of permissions: AWS's policy evaluation logic, the mapping of API
requests to IAM actions and resources, credentials per principal and an audit of decisions."""
