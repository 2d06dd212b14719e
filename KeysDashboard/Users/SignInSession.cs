using KeysDashboard.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Users;

/// <summary>
/// A signed-in browser session kept on the server. The sign-in cookie carries only <see cref="Id"/>, so signing
/// out (which deletes the row) ends that cookie for good: a copy replayed later finds nothing.
/// </summary>
internal sealed class SignInSession
{
    public required string Id { get; init; }
    public string? UserId { get; set; }
    public required byte[] Ticket { get; set; }
    public DateTime? ExpiresAt { get; set; }
}

/// <summary>ASP.NET's cookie session store, in the app's database.</summary>
internal sealed class DatabaseTicketStore(IDbContextFactory<ApplicationDbContext> dbFactory, TimeProvider clock) : ITicketStore
{
    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var session = new SignInSession
        {
            Id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            UserId = ticket.Principal.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value,
            Ticket = TicketSerializer.Default.Serialize(ticket),
            ExpiresAt = ticket.Properties.ExpiresUtc?.UtcDateTime,
        };
        await using var db = await dbFactory.CreateDbContextAsync();
        db.SignInSessions.Add(session);
        await db.SaveChangesAsync();
        return session.Id;
    }

    public async Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.SignInSessions.Where(s => s.Id == key).ExecuteUpdateAsync(set => set
            .SetProperty(s => s.Ticket, TicketSerializer.Default.Serialize(ticket))
            .SetProperty(s => s.ExpiresAt, ticket.Properties.ExpiresUtc.HasValue ? ticket.Properties.ExpiresUtc.Value.UtcDateTime : null));
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var session = await db.SignInSessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == key);
        if (session is null || session.ExpiresAt <= clock.GetUtcNow().UtcDateTime)
        {
            return null;
        }
        return TicketSerializer.Default.Deserialize(session.Ticket);
    }

    public async Task RemoveAsync(string key)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.SignInSessions.Where(s => s.Id == key).ExecuteDeleteAsync();
    }
}

internal static class SignInSessionExtensions
{
    public static IServiceCollection AddServerSideSignInSessions(this IServiceCollection services)
    {
        services.AddSingleton<DatabaseTicketStore>();
        services.AddOptions<CookieAuthenticationOptions>(Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme)
            .Configure<DatabaseTicketStore>((options, store) => options.SessionStore = store);
        return services;
    }
}
