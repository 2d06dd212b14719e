using KeysDashboard.Access;

namespace KeysDashboard.Tests.Access;

/// <summary>A key operation as a test drives it, at whichever door.</summary>
public enum KeyOperation
{
    List,
    Get,
    Create,
    Edit,
    Enable,
    Disable,
    Regenerate,
    Delete,
    Verify,
    LookupLeaked,
    BulkDisable,
    BulkDelete,
}

/// <summary>
/// Who may do what, written out by hand from issue 8 ("Roles for people", "Scopes for keys", "The support desk"),
/// NOT computed from <see cref="AccessTable"/>: the tests compare the app's table against this one, so a line changed
/// there by mistake shows up here as a failing cell.
/// <list type="bullet">
/// <item>Admin: everything. Support: view keys, disable (with a reason), look up a leaked secret, bulk-disable;
/// not create, enable, edit, regenerate, delete. Auditor: view keys, nothing else. A person with no role: nothing.</item>
/// <item>keys:manage: manage keys through the API (view, create, edit, enable, disable, regenerate, delete).
/// keys:read (Vidbeo ["fetch"], read-only management): view keys. verify: POST /verify. search, read, write, admin,
/// audit:read: nothing on keys here ("a key without keys:manage can call GET /me and, with verify, POST /verify").
/// The desk (leaked lookup, bulk) is named for Admin and Support only, so no scope opens it.</item>
/// <item>The command line: everything.</item>
/// </list>
/// Where the issue is silent we chose: Support and Auditor may not call verify (not in their lists); no key scope
/// opens the desk operations.
/// </summary>
internal static class ExpectedAccess
{
    private static readonly KeyOperation[] View = [KeyOperation.List, KeyOperation.Get];

    private static readonly KeyOperation[] Manage =
        [.. View, KeyOperation.Create, KeyOperation.Edit, KeyOperation.Enable, KeyOperation.Disable, KeyOperation.Regenerate, KeyOperation.Delete];

    private static readonly Dictionary<string, KeyOperation[]> ByRole = new()
    {
        ["Admin"] = Enum.GetValues<KeyOperation>(),
        ["Support"] = [.. View, KeyOperation.Disable, KeyOperation.LookupLeaked, KeyOperation.BulkDisable],
        ["Auditor"] = View,
        ["none"] = [],
    };

    private static readonly Dictionary<string, KeyOperation[]> ByScope = new()
    {
        ["search"] = [],
        ["read"] = [],
        ["write"] = [],
        ["admin"] = [],
        ["audit:read"] = [],
        ["verify"] = [KeyOperation.Verify],
        ["keys:read"] = View,
        ["keys:manage"] = Manage,
    };

    /// <summary>Person callers: the role names of the issue, plus "none".</summary>
    public static readonly string[] Roles = ["Admin", "Support", "Auditor", "none"];

    /// <summary>Key callers: each scope alone, none, and the combinations clients really use.</summary>
    public static readonly string[][] ScopeSets =
    [
        [],
        ["search"],
        ["read"],
        ["write"],
        ["admin"],
        ["verify"],
        ["keys:read"],
        ["keys:manage"],
        ["audit:read"],
        ["write", "keys:manage"],
        ["admin", "keys:manage", "verify"],
        ["read", "keys:read"],
        ["read", "verify", "keys:read"],
        ["write", "verify", "keys:manage"],
        ["verify", "audit:read"],
        ["keys:manage", "audit:read"],
        ["search", "read", "write", "admin", "verify", "keys:read", "keys:manage", "audit:read"],
    ];

    public static bool RoleMay(string role, KeyOperation operation) => ByRole[role].Contains(operation);

    public static bool ScopesMay(IEnumerable<string> scopes, KeyOperation operation) =>
        scopes.Any(s => ByScope[s].Contains(operation));

    /// <summary>
    /// The 403 code a key gets when refused: Vidbeo's read_only_key for a read-only managing key (keys:read without
    /// keys:manage) asking for a change; insufficient_scope otherwise.
    /// </summary>
    public static string RefusalCode(IReadOnlyCollection<string> scopes, KeyOperation operation) =>
        scopes.Contains("keys:read") && !scopes.Contains("keys:manage") && Manage.Contains(operation) && !View.Contains(operation)
            ? "read_only_key"
            : "insufficient_scope";

    /// <summary>The permission name the refusal's audit row must name (issue: "each refusal is audited").</summary>
    public static string PermissionName(KeyOperation operation) => operation switch
    {
        KeyOperation.List or KeyOperation.Get => "keys.view",
        KeyOperation.Create => "keys.create",
        KeyOperation.Edit => "keys.edit",
        KeyOperation.Enable => "keys.enable",
        KeyOperation.Disable => "keys.disable",
        KeyOperation.Regenerate => "keys.regenerate",
        KeyOperation.Delete => "keys.delete",
        KeyOperation.Verify => "keys.verify",
        KeyOperation.LookupLeaked => "keys.lookup_leaked",
        KeyOperation.BulkDisable => "keys.bulk_disable",
        KeyOperation.BulkDelete => "keys.bulk_delete",
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };

    public static string Label(IEnumerable<string> scopes) => scopes.Any() ? string.Join("+", scopes) : "(none)";

    public static string[] ParseLabel(string label) => label == "(none)" ? [] : label.Split('+');
}
