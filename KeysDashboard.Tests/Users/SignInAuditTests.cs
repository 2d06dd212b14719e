using System.Net;
using System.Text.RegularExpressions;
using KeysDashboard.Audit;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Tests.Users;

/// <summary>Every sign-in attempt leaves an audit row: who, how (password, authenticator, recovery code), and never the secret.</summary>
public sealed partial class SignInAuditTests : IAsyncLifetime
{
    private readonly AppFactory app = People.App();
    private string ownerId = "";

    public async ValueTask InitializeAsync()
    {
        await Owner.SetUpAsync(app.CreateBrowserLikeClient());
        ownerId = (await People.OwnerAsync(app)).Id;
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task A_password_sign_in_is_audited_as_the_person_and_records_the_time()
    {
        Assert.Null((await People.FindAsync(app, Owner.Email))!.LastSignInAt);

        await Owner.SignInAsync(app.CreateBrowserLikeClient());

        var row = Assert.Single(await People.AuditAsync(app, AuditActions.SignInSucceeded));
        Assert.Equal((ownerId, "person", AuditOutcomes.Success, ownerId, Owner.Email), (row.ActorId, row.ActorKind, row.Outcome, row.TargetId, row.TargetName));
        Assert.Contains("\"method\":\"password\"", row.Details);
        Assert.NotNull(row.RequestId);
        var lastSignIn = (await People.FindAsync(app, Owner.Email))!.LastSignInAt;
        Assert.NotNull(lastSignIn);
        Assert.InRange(lastSignIn.Value, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Wrong_passwords_are_audited_as_failures_then_the_lockout_and_the_password_never_appears()
    {
        for (var i = 1; i <= 5; i++)
        {
            await Owner.SignInAsync(app.CreateBrowserLikeClient(), password: $"secret guess number {i}");
        }

        var failed = await People.AuditAsync(app, AuditActions.SignInFailed);
        var locked = Assert.Single(await People.AuditAsync(app, AuditActions.SignInLockedOut));
        Assert.Equal(4, failed.Count);
        Assert.All(failed.Append(locked), r => Assert.Equal(("anonymous", AuditOutcomes.Failure, ownerId, Owner.Email), (r.ActorId, r.Outcome, r.TargetId, r.TargetName)));
        Assert.Empty(await People.AuditAsync(app, AuditActions.SignInSucceeded));
        Assert.False(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(e =>
            (e.Details != null && e.Details.Contains("secret guess")) || (e.Reason != null && e.Reason.Contains("secret guess")) || e.ActorName.Contains("secret guess"))));
        Assert.Null((await People.FindAsync(app, Owner.Email))!.LastSignInAt);
    }

    [Fact]
    public async Task An_unknown_email_is_audited_with_the_typed_email_trimmed_to_256_characters()
    {
        var typed = "  " + new string('x', 300) + "@example.com ";

        await Owner.SignInAsync(app.CreateBrowserLikeClient(), email: "nobody@example.com", password: "hunter2 hunter2");
        await Owner.SignInAsync(app.CreateBrowserLikeClient(), email: typed, password: "hunter2 hunter2");

        var rows = await People.AuditAsync(app, AuditActions.SignInFailed);
        // The form rejects an overlong email before any attempt, so only the first reaches the sign-in.
        Assert.Contains(rows, r => r.TargetName == "nobody@example.com" && r.TargetId == null && r.ActorId == "anonymous");
        Assert.All(rows, r => Assert.True(r.TargetName!.Length <= 256));
        Assert.False(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Details != null && e.Details.Contains("hunter2"))));
    }

    [Fact]
    public async Task Authenticator_and_recovery_code_sign_ins_are_audited_with_their_method()
    {
        var owner = app.CreateBrowserLikeClient();
        await Owner.SignInAsync(owner);
        var enablePage = await owner.GetStringAsync("/Account/Manage/EnableAuthenticator");
        var sharedKey = SharedKey().Match(enablePage).Groups[1].Value;
        var enabled = await (await FormPost.SubmitAsync(owner, "/Account/Manage/EnableAuthenticator", "send-code",
            new Dictionary<string, string> { ["Input.Code"] = Totp.Code(sharedKey, DateTimeOffset.UtcNow) })).Content.ReadAsStringAsync();
        var recoveryCode = RecoveryCode().Match(enabled).Groups[1].Value;
        Assert.NotEmpty(recoveryCode);

        // Password right, then a wrong code, then the right one.
        var browser = app.CreateBrowserLikeClient();
        var password = await Owner.SignInAsync(browser);
        var secondStep = password.Headers.Location!.OriginalString;
        var before = (await People.AuditAsync(app, AuditActions.SignInSucceeded)).Count;
        await FormPost.SubmitAsync(browser, secondStep, "login-with-2fa", new Dictionary<string, string> { ["Input.TwoFactorCode"] = "000000" });
        Assert.Equal(before, (await People.AuditAsync(app, AuditActions.SignInSucceeded)).Count);
        var failure = (await People.AuditAsync(app, AuditActions.SignInFailed)).Last();
        Assert.Contains("\"method\":\"authenticator\"", failure.Details);
        Assert.Equal(ownerId, failure.TargetId);
        await FormPost.SubmitAsync(browser, secondStep, "login-with-2fa",
            new Dictionary<string, string> { ["Input.TwoFactorCode"] = Totp.Code(sharedKey, DateTimeOffset.UtcNow) });
        Assert.Contains("\"method\":\"authenticator\"", (await People.AuditAsync(app, AuditActions.SignInSucceeded)).Last().Details);

        var withRecovery = app.CreateBrowserLikeClient();
        await Owner.SignInAsync(withRecovery);
        await FormPost.SubmitAsync(withRecovery, "/Account/LoginWithRecoveryCode", "login-with-recovery-code",
            new Dictionary<string, string> { ["Input.RecoveryCode"] = recoveryCode });
        var recovered = (await People.AuditAsync(app, AuditActions.SignInSucceeded)).Last();
        Assert.Contains("\"method\":\"recovery_code\"", recovered.Details);
        Assert.Equal(ownerId, recovered.ActorId);
        Assert.False(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Details != null && e.Details.Contains(recoveryCode))));
    }

    [GeneratedRegex("<kbd>([a-z0-9 ]+)</kbd>")]
    private static partial Regex SharedKey();

    [GeneratedRegex("<code class=\"recovery-code\">([^<]+)</code>")]
    private static partial Regex RecoveryCode();
}
