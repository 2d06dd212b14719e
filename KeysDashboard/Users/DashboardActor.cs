using System.Security.Claims;
using KeysDashboard.Access;
using KeysDashboard.Data;
using Microsoft.EntityFrameworkCore;
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

    /// <summary>The circuit's id: the dashboard's request id in the audit log.</summary>
    public string? CircuitId { get; private set; }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        CircuitId = circuit.Id;
        Value = httpContextAccessor.HttpContext?.Connection.RemoteIpAddress?.ToString() ?? Value;
        return Task.CompletedTask;
    }
}

/// <summary>
/// The signed-in person behind a dashboard action, with the permissions of the role they hold now: read from the
/// database at each action, so a person demoted, locked or removed a moment ago is refused at once even while
/// their circuit still shows the old page. A person whose role requires two-factor sign-in
/// (<see cref="UsersOptions.RequireTwoFactorRoles"/>) and who has not turned it on gets no permissions either.
/// </summary>
internal sealed class DashboardActor(AuthenticationStateProvider authentication, CircuitClientAddress clientAddress, PersonActors people)
{
    public async Task<Actor> GetAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is null)
        {
            throw new InvalidOperationException("A dashboard action needs a signed-in user.");
        }
        return await people.ForAsync(user, clientAddress.Value, clientAddress.CircuitId);
    }
}
