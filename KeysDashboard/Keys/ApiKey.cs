namespace KeysDashboard.Keys;

/// <summary>An API key as stored: only the hash of its secret, never the secret.</summary>
public sealed class ApiKey
{
    /// <summary>
    /// A version 7 GUID as 32 lowercase hex characters: unique, and ordered by creation time as a plain string,
    /// which is what the API's keyset paging sorts and compares on. See <see cref="NewId"/>.
    /// </summary>
    public string Id { get; init; } = NewId();

    /// <summary>
    /// Bumped by every change (edit, enable, disable, regenerate). It is the key's ETag, and a concurrency token:
    /// EF Core puts the value it read into the UPDATE's or DELETE's WHERE, so a write based on a stale read
    /// changes nothing and is retried or refused rather than silently undoing someone else's change.
    /// </summary>
    public int Version { get; set; } = 1;

    private static readonly Lock IdLock = new();
    private static long lastIdMilliseconds;
    private static int lastIdCounter;

    /// <summary>
    /// A version 7 GUID (RFC 9562) whose 12 rand_a bits are a counter within the millisecond (method 1 of section
    /// 6.2), so ids made by this process sort in creation order even within one millisecond, where
    /// <see cref="Guid.CreateVersion7()"/> is random. A clock that steps back keeps the last millisecond.
    /// </summary>
    public static string NewId()
    {
        long milliseconds;
        int counter;
        lock (IdLock)
        {
            milliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (milliseconds > lastIdMilliseconds)
            {
                // Start low in the millisecond, with room for thousands more in it.
                counter = System.Security.Cryptography.RandomNumberGenerator.GetInt32(0, 1024);
            }
            else
            {
                milliseconds = lastIdMilliseconds;
                counter = lastIdCounter + 1;
                if (counter > 0xFFF)
                {
                    milliseconds++;
                    counter = 0;
                }
            }
            lastIdMilliseconds = milliseconds;
            lastIdCounter = counter;
        }

        Span<byte> bytes = stackalloc byte[16];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes[8..]);
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(milliseconds >> (8 * (5 - i)));
        }
        bytes[6] = (byte)(0x70 | (counter >> 8));
        bytes[7] = (byte)counter;
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return Convert.ToHexStringLower(bytes);
    }
    public required string Name { get; set; }

    private List<string> scopes = [];

    /// <summary>
    /// What the key may do, canonical (see <see cref="Access.AccessTable.Scopes"/>): search, read, write, admin for the
    /// API it protects; verify, keys:read, keys:manage, audit:read here.
    /// </summary>
    public List<string> Scopes
    {
        get => scopes;
        set
        {
            scopes = value;
            ReadOnly = !Access.AccessTable.Expand(value).Contains(Access.KeyScopes.KeysManage);
        }
    }

    /// <summary>
    /// Vidbeo's view of <see cref="Scopes"/>: true (permissions ["fetch"]) for a key that may not manage keys here.
    /// Kept as a column so the grid can filter on it; always follows Scopes.
    /// </summary>
    public bool ReadOnly { get; private set; }
    public List<string> Ips { get; set; } = [];
    public bool Enabled { get; set; } = true;
    public DateTime? ExpiresAt { get; set; }

    public required string KeyHash { get; set; }
    public required string Prefix { get; set; }
    public required string LastFour { get; set; }

    /// <summary>After a regenerate with a grace period, the old secret's hash keeps working until this time.</summary>
    public string? PreviousKeyHash { get; set; }
    public DateTime? PreviousKeyExpiresAt { get; set; }

    public required string CreatedBy { get; init; }
    public required string CreatedByName { get; init; }
    public DateTime CreatedAt { get; init; }
    public required string UpdatedBy { get; set; }
    public required string UpdatedByName { get; set; }
    public DateTime UpdatedAt { get; set; }

    public DateTime? LastUsedAt { get; set; }
    public string? LastUsedIp { get; set; }

    public string Masked => KeySecret.Mask(Prefix, LastFour);

    public KeyStatus StatusAt(DateTime now) =>
        !Enabled ? KeyStatus.Disabled
        : ExpiresAt is { } expires && expires <= now ? KeyStatus.Expired
        : KeyStatus.Enabled;

    public bool GracePeriodActiveAt(DateTime now) =>
        PreviousKeyHash is not null && PreviousKeyExpiresAt is { } end && end > now;
}

public enum KeyStatus
{
    Enabled,
    Disabled,
    Expired,
}
