// Tests must not pick up a developer's .env or AWS profile by accident.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_REGION ??= 'us-east-1';
process.env.LOG_LEVEL ??= 'silent';
