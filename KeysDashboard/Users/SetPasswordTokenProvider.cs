using System.Text;
using KeysDashboard.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Users;

/// <summary>
/// Identity's DataProtectorTokenProvider (the password-reset token behind set-password links), reading the time
/// from the app's <see cref="TimeProvider"/> instead of the wall clock, so the 24-hour lifespan
/// (<see cref="DataProtectionTokenProviderOptions.TokenLifespan"/>) is the one clock the rest of the app uses, and
/// tests can prove it. The token is the base provider's: creation time, user id, purpose and security stamp,
/// protected with Data Protection; the stamp makes it die once the password is set (or the person is locked,
/// demoted or signed out everywhere).
/// </summary>
internal sealed class SetPasswordTokenProvider(
    IDataProtectionProvider dataProtectionProvider,
    IOptions<DataProtectionTokenProviderOptions> options,
    ILogger<DataProtectorTokenProvider<ApplicationUser>> logger,
    TimeProvider clock)
    : DataProtectorTokenProvider<ApplicationUser>(dataProtectionProvider, options, logger)
{
    public const string ProviderName = "SetPassword";

    public override async Task<string> GenerateAsync(string purpose, UserManager<ApplicationUser> manager, ApplicationUser user)
    {
        using var buffer = new MemoryStream();
        await using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(clock.GetUtcNow().UtcTicks);
            writer.Write(await manager.GetUserIdAsync(user));
            writer.Write(purpose ?? "");
            writer.Write(manager.SupportsUserSecurityStamp ? await manager.GetSecurityStampAsync(user) ?? "" : "");
        }
        return Convert.ToBase64String(Protector.Protect(buffer.ToArray()));
    }

    public override async Task<bool> ValidateAsync(string purpose, string token, UserManager<ApplicationUser> manager, ApplicationUser user)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(Protector.Unprotect(Convert.FromBase64String(token))), Encoding.UTF8);
            var created = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            if (created + Options.TokenLifespan < clock.GetUtcNow())
            {
                return false;
            }
            if (reader.ReadString() != await manager.GetUserIdAsync(user) || reader.ReadString() != purpose)
            {
                return false;
            }
            var stamp = reader.ReadString();
            if (reader.PeekChar() != -1)
            {
                return false;
            }
            return !manager.SupportsUserSecurityStamp || stamp == (await manager.GetSecurityStampAsync(user) ?? "");
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException or EndOfStreamException or IOException)
        {
            return false;
        }
    }
}
