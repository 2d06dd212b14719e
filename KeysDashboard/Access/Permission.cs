namespace KeysDashboard.Access;

/// <summary>
/// One thing a caller may do. Services demand these (<see cref="AccessGuard"/>); roles and scopes grant them
/// (<see cref="AccessTable"/>). The name in <see cref="PermissionNames"/> is what the audit log records.
/// </summary>
internal enum Permission
{
    KeysView,
    KeysCreate,
    KeysEdit,
    KeysEnable,
    KeysDisable,
    KeysRegenerate,
    KeysDelete,
    KeysVerify,
    KeysLookupLeaked,
    KeysBulkDisable,
    KeysBulkDelete,
    UsersManage,
    AuditRead,
}

internal static class PermissionNames
{
    /// <summary>"keys.create", "users.manage", ...: stable names for the audit log and error messages.</summary>
    public static string Name(this Permission permission) => permission switch
    {
        Permission.KeysView => "keys.view",
        Permission.KeysCreate => "keys.create",
        Permission.KeysEdit => "keys.edit",
        Permission.KeysEnable => "keys.enable",
        Permission.KeysDisable => "keys.disable",
        Permission.KeysRegenerate => "keys.regenerate",
        Permission.KeysDelete => "keys.delete",
        Permission.KeysVerify => "keys.verify",
        Permission.KeysLookupLeaked => "keys.lookup_leaked",
        Permission.KeysBulkDisable => "keys.bulk_disable",
        Permission.KeysBulkDelete => "keys.bulk_delete",
        Permission.UsersManage => "users.manage",
        Permission.AuditRead => "audit.read",
        _ => permission.ToString(),
    };
}
