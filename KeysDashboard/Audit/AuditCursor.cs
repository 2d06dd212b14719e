using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace KeysDashboard.Audit;

/// <summary>
/// The opaque <c>cursor</c> of GET /api/v2/audit: the id of the last row on a page, encrypted and signed with
/// Data Protection and valid for a day, like the keys' cursor (its own purpose, so one cannot stand in for the
/// other). A forged, altered or stale cursor is refused rather than guessed at.
/// </summary>
internal sealed class AuditCursor(IDataProtectionProvider dataProtection, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private readonly ITimeLimitedDataProtector protector =
        dataProtection.CreateProtector("KeysDashboard.Api.AuditCursor.v1").ToTimeLimitedDataProtector();

    public string Create(long lastId) => protector.Protect(lastId.ToString(CultureInfo.InvariantCulture), clock.GetUtcNow() + Lifetime);

    public bool TryRead(string cursor, out long lastId)
    {
        lastId = 0;
        try
        {
            return long.TryParse(protector.Unprotect(cursor), NumberStyles.None, CultureInfo.InvariantCulture, out lastId);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
