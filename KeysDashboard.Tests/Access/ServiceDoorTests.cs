using KeysDashboard.Access;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Access;

/// <summary>
/// The matrix at the service door: every key operation, called on KeyService and KeyList directly, by every kind of
/// caller. The expected outcome of each cell is <see cref="ExpectedAccess"/>, written from the issue.
/// </summary>
public sealed class ServiceDoorTests(MatrixApp app) : IClassFixture<MatrixApp>
{
    public static TheoryData<string, KeyOperation> PersonCells()
    {
        var cells = new TheoryData<string, KeyOperation>();
        foreach (var role in ExpectedAccess.Roles)
        {
            foreach (var operation in Enum.GetValues<KeyOperation>())
            {
                cells.Add(role, operation);
            }
        }
        return cells;
    }

    public static TheoryData<string, KeyOperation> KeyCells()
    {
        var cells = new TheoryData<string, KeyOperation>();
        foreach (var scopes in ExpectedAccess.ScopeSets)
        {
            foreach (var operation in Enum.GetValues<KeyOperation>())
            {
                cells.Add(ExpectedAccess.Label(scopes), operation);
            }
        }
        return cells;
    }

    public static TheoryData<KeyOperation> Operations() => [.. Enum.GetValues<KeyOperation>()];

    [Theory]
    [MemberData(nameof(PersonCells))]
    public async Task A_person_may_do_exactly_what_their_role_allows(string role, KeyOperation operation)
    {
        var person = Actor.Person($"person-{Guid.NewGuid():N}", $"{role.ToLowerInvariant()}@example.com", role == "none" ? null : role, "192.0.2.10");

        await InScopeAsync(services => MatrixCell.RunAsync(services, person, operation, ExpectedAccess.RoleMay(role, operation), ["read"], ApiFactory.Admin));
    }

    [Theory]
    [MemberData(nameof(KeyCells))]
    public async Task A_key_may_do_exactly_what_its_scopes_allow(string scopes, KeyOperation operation)
    {
        var held = ExpectedAccess.ParseLabel(scopes);
        var caller = await app.Api.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft($"caller {Guid.NewGuid():N}", false, [], null, held), ApiFactory.Admin));
        var actor = Actor.Key(caller.Key, "192.0.2.20");

        // The targets carry the caller's own scopes: within its bounds, so only the permission decides.
        await InScopeAsync(services => MatrixCell.RunAsync(services, actor, operation, ExpectedAccess.ScopesMay(held, operation), held, ApiFactory.Admin));
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task The_command_line_may_do_everything(KeyOperation operation) =>
        await InScopeAsync(services => MatrixCell.RunAsync(services, Actor.CommandLine, operation, allowed: true, ["admin", "keys:manage"], ApiFactory.Admin));

    [Fact]
    public void The_app_table_knows_every_role_and_scope_the_matrix_tries()
    {
        Assert.Equal(["Admin", "Support", "Auditor"], AccessTable.RoleNames);
        Assert.Equal(["search", "read", "write", "admin", "verify", "keys:read", "keys:manage", "audit:read"], AccessTable.ScopeNames);
    }

    private async Task InScopeAsync(Func<IServiceProvider, Task> cell)
    {
        await using var scope = app.Api.Services.CreateAsyncScope();
        await cell(scope.ServiceProvider);
    }
}
