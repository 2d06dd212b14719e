using KeysDashboard.Access;
using KeysDashboard.Audit;
using KeysDashboard.Data;
using KeysDashboard.Tests.Infrastructure;
using KeysDashboard.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Users;

/// <summary>UserService's rules against the real app and database: who may manage people, validation, the last Admin.</summary>
public sealed class UserServiceTests : IAsyncLifetime
{
    private readonly AppFactory app = People.App();
    private Actor owner = default!;

    public async ValueTask InitializeAsync()
    {
        await Owner.SetUpAsync(app.CreateBrowserLikeClient());
        owner = await People.OwnerAsync(app);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task Roles_are_seeded_once_each()
    {
        var roles = await app.WithDbAsync(db => db.Roles.Select(r => r.Name!).ToListAsync());

        Assert.Equal(AccessTable.RoleNames.Order(), roles.Order());
        // Seeding again (a second instance starting) changes nothing.
        await app.WithDbAsync(async db =>
        {
            await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
            {
                await using var scope = app.Services.CreateAsyncScope();
                await KeysDashboard.Setup.RoleSeeding.EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<ApplicationDbContext>());
            }));
            return 0;
        });
        Assert.Equal(3, await app.WithDbAsync(db => db.Roles.CountAsync()));
    }

    [Fact]
    public async Task An_Admin_invites_lists_changes_locks_unlocks_and_removes_and_each_change_is_audited()
    {
        var invitation = await People.InviteAsync(app, owner, "  Support.Person@Example.com ", "support");
        Assert.Equal("Support.Person@Example.com", invitation.User.Email);
        Assert.Equal(AccessTable.SupportRole, invitation.User.Role);
        Assert.StartsWith("http://localhost/Account/SetPassword?userId=" + invitation.User.Id + "&code=", invitation.Link);
        var id = invitation.User.Id;
        var stored = await People.FindAsync(app, "support.person@example.com");
        Assert.NotNull(stored);
        Assert.True(stored.EmailConfirmed);
        Assert.Null(stored.PasswordHash);

        var list = await People.UsersAsync(app, u => u.ListAsync(owner));
        var listed = Assert.Single(list, p => p.Id == id);
        Assert.Equal((AccessTable.SupportRole, false, false, (DateTime?)null), (listed.Role, listed.TwoFactorEnabled, listed.Locked, listed.LastSignInAt));
        Assert.NotNull(listed.CreatedAt);

        Assert.Equal(AccessTable.AuditorRole, (await People.UsersAsync(app, u => u.ChangeRoleAsync(id, "Auditor", owner))).Role);
        Assert.True((await People.UsersAsync(app, u => u.LockAsync(id, owner))).Locked);
        Assert.False((await People.UsersAsync(app, u => u.UnlockAsync(id, owner))).Locked);
        await People.UsersAsync(app, async u => { await u.RemoveAsync(id, owner); return 0; });

        Assert.Null(await People.FindAsync(app, "support.person@example.com"));
        var rows = await app.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.TargetId == id).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([AuditActions.UserInvited, AuditActions.UserRoleChanged, AuditActions.UserLocked, AuditActions.UserUnlocked, AuditActions.UserRemoved],
            rows.Select(r => r.Action));
        Assert.All(rows, r => Assert.Equal((owner.Id, "person", AuditOutcomes.Success, "Support.Person@Example.com"), (r.ActorId, r.ActorKind, r.Outcome, r.TargetName)));
        Assert.Contains("\"to\":\"Auditor\"", rows[1].Details);
        // The link is a secret: no row holds it.
        var token = invitation.Link[(invitation.Link.IndexOf("code=", StringComparison.Ordinal) + 5)..];
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.AllAsync(e => e.Details == null || !e.Details.Contains(token))));
    }

    public static TheoryData<string> NotAdmins => [AccessTable.SupportRole, AccessTable.AuditorRole];

    [Theory]
    [MemberData(nameof(NotAdmins))]
    public async Task Support_and_Auditor_are_refused_every_operation_and_each_refusal_is_audited(string role)
    {
        var target = (await People.InviteAsync(app, owner, "target@example.com", "Support")).User.Id;
        var them = (await People.InviteAsync(app, owner, $"{role}@example.com", role)).User;
        var actor = People.As(them.Id, them.Email, role);
        var operations = new Func<UserService, Task>[]
        {
            u => u.ListAsync(actor),
            u => u.InviteAsync("new@example.com", "Admin", actor, People.BaseUri),
            u => u.ChangeRoleAsync(target, "Admin", actor),
            u => u.ChangeRoleAsync(them.Id, "Admin", actor),
            u => u.LockAsync(owner.Id, actor),
            u => u.UnlockAsync(target, actor),
            u => u.RemoveAsync(owner.Id, actor),
        };

        foreach (var operation in operations)
        {
            var denied = await Assert.ThrowsAsync<AccessDeniedException>(() => People.UsersAsync(app, async u => { await operation(u); return 0; }));
            Assert.Equal(Permission.UsersManage, denied.Permission);
        }

        var refusals = await app.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .Where(e => e.Action == AuditActions.AccessRefused && e.ActorId == them.Id).ToListAsync());
        Assert.Equal(operations.Length, refusals.Count);
        Assert.All(refusals, r => Assert.Contains("users.manage", r.Details));
        Assert.Null(await People.FindAsync(app, "new@example.com"));
        Assert.Equal(AccessTable.SupportRole, (await People.UsersAsync(app, u => u.ListAsync(owner))).Single(p => p.Id == target).Role);
        Assert.False((await People.UsersAsync(app, u => u.ListAsync(owner))).Single(p => p.Id == owner.Id).Locked);
    }

    [Theory]
    [InlineData("", "Admin", "Enter the person's email address.")]
    [InlineData("not an email", "Admin", "is not an email address")]
    [InlineData("a@example.com\r\nBcc: x@example.com", "Admin", "is not an email address")]
    [InlineData("ok@example.com", "Superuser", "Choose a role")]
    [InlineData("ok@example.com", "", "Choose a role")]
    public async Task Bad_invitations_are_refused_with_a_clear_message(string email, string role, string message)
    {
        var refused = await Assert.ThrowsAsync<UserRuleException>(() => People.InviteAsync(app, owner, email, role));

        Assert.Contains(refused.Messages, m => m.Contains(message, StringComparison.Ordinal));
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task A_second_invitation_for_the_same_email_in_any_case_is_refused_even_in_parallel()
    {
        await People.InviteAsync(app, owner, "twice@example.com", "Support");

        var again = await Assert.ThrowsAsync<UserRuleException>(() => People.InviteAsync(app, owner, "TWICE@example.com", "Auditor"));
        Assert.Contains("already has an account", again.Message);

        var burst = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                await People.InviteAsync(app, owner, "burst@example.com", "Support");
                return true;
            }
            catch (UserRuleException)
            {
                return false;
            }
        }));
        Assert.Equal(1, burst.Count(made => made));
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync(u => u.NormalizedEmail == "BURST@EXAMPLE.COM")));
    }

    [Fact]
    public async Task The_last_Admin_can_be_neither_demoted_nor_locked_nor_removed()
    {
        var second = (await People.InviteAsync(app, owner, "second@example.com", "Admin")).User;
        var secondActor = People.As(second.Id, second.Email, "Admin");

        // The owner demotes the second Admin: fine, one remains. Then nobody can take the owner's Admin away.
        await People.UsersAsync(app, u => u.ChangeRoleAsync(second.Id, "Support", owner));
        await People.UsersAsync(app, u => u.ChangeRoleAsync(second.Id, "Admin", owner));
        await People.UsersAsync(app, u => u.LockAsync(second.Id, owner));

        // The second Admin is locked, so the owner is the last active one.
        var demote = await Assert.ThrowsAsync<UserRuleException>(() => People.UsersAsync(app, u => u.ChangeRoleAsync(owner.Id, "Auditor", owner)));
        Assert.Contains("last Admin", demote.Message);
        await People.UsersAsync(app, u => u.UnlockAsync(second.Id, owner));
        await People.UsersAsync(app, async u => { await u.RemoveAsync(second.Id, owner); return 0; });
        Assert.Contains("last Admin", (await Assert.ThrowsAsync<UserRuleException>(() => People.UsersAsync(app, u => u.ChangeRoleAsync(owner.Id, "Support", owner)))).Message);

        var stillAdmin = (await People.UsersAsync(app, u => u.ListAsync(owner))).Single(p => p.Id == owner.Id);
        Assert.Equal((AccessTable.AdminRole, false), (stillAdmin.Role, stillAdmin.Locked));
        _ = secondActor;
    }

    [Fact]
    public async Task The_last_Admin_cannot_be_locked_or_removed_by_another_Admin_who_is_themselves_locked_out_of_it()
    {
        var second = (await People.InviteAsync(app, owner, "second@example.com", "Admin")).User;
        var secondActor = People.As(second.Id, second.Email, "Admin");
        await People.UsersAsync(app, u => u.LockAsync(second.Id, owner));

        // The locked second Admin's stale actor still says Admin; the service reads the truth and refuses.
        await Assert.ThrowsAsync<AccessDeniedException>(() => People.UsersAsync(app, u => u.LockAsync(owner.Id, secondActor)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => People.UsersAsync(app, async u => { await u.RemoveAsync(owner.Id, secondActor); return 0; }));
        Assert.False((await People.UsersAsync(app, u => u.ListAsync(owner))).Single(p => p.Id == owner.Id).Locked);
    }

    [Fact]
    public async Task Nobody_locks_or_removes_themselves()
    {
        await People.InviteAsync(app, owner, "second@example.com", "Admin");

        Assert.Contains("yourself", (await Assert.ThrowsAsync<UserRuleException>(() => People.UsersAsync(app, u => u.LockAsync(owner.Id, owner)))).Message);
        Assert.Contains("yourself", (await Assert.ThrowsAsync<UserRuleException>(() => People.UsersAsync(app, async u => { await u.RemoveAsync(owner.Id, owner); return 0; }))).Message);
    }

    [Fact]
    public async Task An_unknown_person_is_a_clear_error()
    {
        var missing = await Assert.ThrowsAsync<UserRuleException>(() => People.UsersAsync(app, u => u.LockAsync("no-such-id", owner)));

        Assert.Contains("no longer has an account", missing.Message);
    }

    [Theory]
    [InlineData("demote")]
    [InlineData("remove")]
    [InlineData("lock")]
    [InlineData("mixed")]
    public async Task Two_Admins_acting_on_each_other_at_once_never_leave_zero_Admins(string how)
    {
        for (var round = 0; round < 5; round++)
        {
            var other = (await People.InviteAsync(app, owner, $"rival{round}@example.com", "Admin")).User;
            var otherActor = People.As(other.Id, other.Email, "Admin");
            Func<UserService, Task> ownerAct = how switch
            {
                "demote" => u => u.ChangeRoleAsync(other.Id, "Support", owner),
                "remove" => u => u.RemoveAsync(other.Id, owner),
                "lock" => u => u.LockAsync(other.Id, owner),
                _ => u => u.RemoveAsync(other.Id, owner),
            };
            Func<UserService, Task> otherAct = how switch
            {
                "demote" => u => u.ChangeRoleAsync(owner.Id, "Support", otherActor),
                "remove" => u => u.RemoveAsync(owner.Id, otherActor),
                "lock" => u => u.LockAsync(owner.Id, otherActor),
                _ => u => u.ChangeRoleAsync(owner.Id, "Auditor", otherActor),
            };
            // Each side from its own scope (its own circuit), released together.
            var start = new TaskCompletionSource();
            var both = new[] { ownerAct, otherAct }.Select(act => Task.Run(async () =>
            {
                await start.Task;
                try
                {
                    await People.UsersAsync(app, async u => { await act(u); return 0; });
                    return true;
                }
                catch (Exception e) when (e is UserRuleException or AccessDeniedException)
                {
                    return false;
                }
            })).ToList();
            start.SetResult();
            var results = await Task.WhenAll(both);

            Assert.Equal(1, results.Count(done => done));
            var activeAdmins = (await People.UsersAsync(app, u => u.ListAsync(Actor.CommandLine))).Count(p => p.Role == AccessTable.AdminRole && !p.Locked);
            Assert.Equal(1, activeAdmins);

            if (!results[0])
            {
                // The other won: the owner is no longer an active Admin (or gone). Put things back for the next round.
                if ((await People.FindAsync(app, Owner.Email)) is null)
                {
                    return;
                }
                await People.UsersAsync(app, async u =>
                {
                    var ownerNow = (await u.ListAsync(Actor.CommandLine)).SingleOrDefault(p => p.Id == owner.Id);
                    if (ownerNow is not null)
                    {
                        if (ownerNow.Locked)
                        {
                            await u.UnlockAsync(owner.Id, Actor.CommandLine);
                        }
                        await u.ChangeRoleAsync(owner.Id, "Admin", Actor.CommandLine);
                    }
                    await u.RemoveAsync(other.Id, Actor.CommandLine);
                    return 0;
                });
            }
            else if (await People.FindAsync(app, other.Email) is not null)
            {
                await People.UsersAsync(app, async u => { await u.RemoveAsync(other.Id, Actor.CommandLine); return 0; });
            }
        }
    }
}
