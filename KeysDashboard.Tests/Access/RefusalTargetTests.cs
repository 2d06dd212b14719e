using KeysDashboard.Access;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Access;

/// <summary>
/// The issue's audit log names "actor, action, target" for every event, refused ones included: a refused change of
/// one key must say which key it was, so that the key's own history (/audit?key=) shows who tried.
/// </summary>
public sealed class RefusalTargetTests(MatrixApp app) : IClassFixture<MatrixApp>
{
    public static TheoryData<KeyOperation> KeyOperations() =>
        [KeyOperation.Get, KeyOperation.Edit, KeyOperation.Enable, KeyOperation.Disable, KeyOperation.Regenerate, KeyOperation.Delete];

    [Theory]
    [MemberData(nameof(KeyOperations))]
    public async Task A_refused_action_on_one_key_names_that_key_in_the_audit_row(KeyOperation operation)
    {
        var auditor = Actor.Person($"auditor-{Guid.NewGuid():N}", "auditor@example.com", "Auditor", "192.0.2.30");
        var target = await app.Api.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft($"t {Guid.NewGuid():N}", false, [], null, ["read"]), ApiFactory.Admin));
        var id = target.Key.Id;

        await app.Api.WithKeysAsync<object?>(async keys =>
        {
            Func<Task> act = operation switch
            {
                KeyOperation.Get => () => keys.FindAsync(id, auditor),
                KeyOperation.Edit => () => keys.UpdateAsync(id, new KeyChanges(Name: "x"), auditor),
                KeyOperation.Enable => () => keys.SetEnabledAsync(id, true, auditor),
                KeyOperation.Disable => () => keys.SetEnabledAsync(id, false, auditor, reason: "r"),
                KeyOperation.Regenerate => () => keys.RegenerateAsync(id, TimeSpan.Zero, auditor),
                _ => () => keys.DeleteAsync(id, auditor),
            };
            if (operation == KeyOperation.Get)
            {
                // The Auditor may view keys: use a person with no role for the read.
                auditor = auditor with { Permissions = new HashSet<Permission>(), Role = null };
                act = () => keys.FindAsync(id, auditor);
            }
            await Assert.ThrowsAsync<AccessDeniedException>(act);
            return null;
        });

        var row = Assert.Single(await MatrixCell.RefusalRowsAsync(app.Api.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>(), auditor.Id));
        Assert.True(row.KeyId == id || row.TargetId == id,
            $"The refused {ExpectedAccess.PermissionName(operation)} row names no target (key_id {row.KeyId ?? "null"}, target_id {row.TargetId ?? "null"}); it was key {id}.");
    }
}
