using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace KeysDashboard.Keys.Api;

/// <summary>
/// The opaque <c>cursor</c> of GET /keys: the id of the last key on a page, encrypted and signed with Data
/// Protection and valid for a day. A forged, altered or stale cursor is refused rather than guessed at.
/// </summary>
internal sealed class KeyCursor(IDataProtectionProvider dataProtection, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private readonly ITimeLimitedDataProtector protector =
        dataProtection.CreateProtector("KeysDashboard.Api.KeyCursor.v1").ToTimeLimitedDataProtector();

    public string Create(string lastId) => Create(lastId, clock.GetUtcNow() + Lifetime);

    public string Create(string lastId, DateTimeOffset expires) => protector.Protect(lastId, expires);

    public bool TryRead(string cursor, out string lastId)
    {
        try
        {
            lastId = protector.Unprotect(cursor);
            return true;
        }
        catch (CryptographicException)
        {
            lastId = "";
            return false;
        }
    }
}
