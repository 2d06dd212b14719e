using System.Security.Claims;
using KeysDashboard.Keys;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace KeysDashboard.Users;

/// <summary>
/// Remembers the browser's address for an interactive circuit. HttpContext is not available while a circuit
/// runs, but it is while the circuit's connection comes up, so we read it there (and again on reconnect).
/// </summary>
internal sealed class CircuitClientAddress(IHttpContextAccessor httpContextAccessor) : CircuitHandler
{
    public string? Value { get; private set; }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Value = httpContextAccessor.HttpContext?.Connection.RemoteIpAddress?.ToString() ?? Value;
        return Task.CompletedTask;
    }
}

/// <summary>The signed-in person behind a dashboard action, for created_by/updated_by and the audit log.</summary>
internal sealed class DashboardActor(AuthenticationStateProvider authentication, CircuitClientAddress clientAddress)
{
    public async Task<Actor> GetAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("A dashboard action needs a signed-in user.");
        return new Actor(id, user.Identity?.Name ?? id, clientAddress.Value);
    }
}
