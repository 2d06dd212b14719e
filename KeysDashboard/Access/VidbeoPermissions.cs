using KeysDashboard.Keys;

namespace KeysDashboard.Access;

/// <summary>
/// How Vidbeo's <c>permissions</c> field maps onto scopes, both ways. Vidbeo's keys all manage keys, read/write
/// (<c>[]</c>) or read-only (<c>["fetch"]</c>); here that is the scope keys:manage or its absence:
/// <list type="bullet">
/// <item>reading: <c>[]</c> when the key holds keys:manage, else <c>["fetch"]</c>;</item>
/// <item>writing <c>["fetch"]</c>: keys:manage becomes keys:read, and write or admin for the protected API becomes read;</item>
/// <item>writing <c>[]</c>: keys:read becomes keys:manage; the protected API's level stays as it is (a key that can
/// only read cannot hand on write by sending Vidbeo's default);</item>
/// <item>a key of part 1 became <c>write keys:manage verify</c> (read/write) or <c>read keys:read verify</c>
/// (read-only): exactly what it could do before.</item>
/// </list>
/// </summary>
internal static class VidbeoPermissions
{
    public const string ReadOnlyPermission = "fetch";

    private static readonly string[] Levels = [KeyScopes.Search, KeyScopes.Read, KeyScopes.Write, KeyScopes.Admin];

    public static IReadOnlyList<string> Legacy(bool readOnly) => readOnly
        ? [KeyScopes.Read, KeyScopes.Verify, KeyScopes.KeysRead]
        : [KeyScopes.Write, KeyScopes.Verify, KeyScopes.KeysManage];

    public static IReadOnlyList<string> Of(ApiKey key) => key.ReadOnly ? [ReadOnlyPermission] : [];

    /// <summary>The scopes <paramref name="scopes"/> become when a client sets Vidbeo's permissions.</summary>
    public static IReadOnlyList<string> Apply(IEnumerable<string> scopes, bool readOnly)
    {
        var held = AccessTable.Expand(scopes);
        var level = Levels.LastOrDefault(held.Contains);
        var others = held.Where(s => !Levels.Contains(s) && s is not KeyScopes.KeysManage and not KeyScopes.KeysRead);
        var result = new List<string>(others);
        if (readOnly)
        {
            if (level is not null)
            {
                result.Add(level is KeyScopes.Write or KeyScopes.Admin ? KeyScopes.Read : level);
            }
            result.Add(KeyScopes.KeysRead);
        }
        else
        {
            if (level is not null)
            {
                result.Add(level);
            }
            result.Add(KeyScopes.KeysManage);
        }
        return AccessTable.Canonical(result);
    }
}
