using System.Net;
using KeysDashboard.Access;
using KeysDashboard.Audit;
using KeysDashboard.Data;
using KeysDashboard.Tests.Infrastructure;
using KeysDashboard.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Tests.Users;

/// <summary>People in the real app: the owner as an actor, invitations, set-password links, sign-ins.</summary>
internal static class People
{
    public const string Password = "a long enough passphrase";

    public static readonly Uri BaseUri = new("http://localhost/");

    /// <summary>No per-address sign-in limit: these tests post many forms from one test client.</summary>
    public static AppFactory App(Dictionary<string, string?>? settings = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?> { ["SignIn:AttemptsPerAddressPerMinute"] = "0" };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }
        return new AppFactory(all, services);
    }

    public static async Task<Actor> OwnerAsync(AppFactory app)
    {
        var id = await app.WithDbAsync(db => db.Users.Where(u => u.Email == Owner.Email).Select(u => u.Id).SingleAsync());
        return Actor.Person(id, Owner.Email, AccessTable.AdminRole, "127.0.0.1");
    }

    public static Actor As(string id, string email, string role) => Actor.Person(id, email, role, "127.0.0.1");

    public static Task<Invitation> InviteAsync(AppFactory app, Actor by, string email, string role) =>
        app.WithServiceAsync<Invitation, UserService>(users => users.InviteAsync(email, role, by, BaseUri));

    public static Task<T> UsersAsync<T>(AppFactory app, Func<UserService, Task<T>> use) => app.WithServiceAsync(use);

    /// <summary>Opens the link and sets the password with the real page, as the invited person does.</summary>
    public static Task<HttpResponseMessage> SetPasswordAsync(HttpClient client, string link, string password = Password) =>
        FormPost.SubmitAsync(client, PathOf(link), "set-password", new Dictionary<string, string>
        {
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });

    public static string PathOf(string link) => new Uri(link).PathAndQuery;

    /// <summary>An invited person who set their password and signed in: the browser holding their session.</summary>
    public static async Task<(HttpClient Browser, Actor Actor)> SignedInAsync(AppFactory app, string email, string role)
    {
        var owner = await OwnerAsync(app);
        var invitation = await InviteAsync(app, owner, email, role);
        var browser = app.CreateBrowserLikeClient();
        var set = await SetPasswordAsync(browser, invitation.Link);
        Assert.Equal(HttpStatusCode.Redirect, set.StatusCode);
        var signIn = await Owner.SignInAsync(browser, email, Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.DoesNotContain("Lockout", signIn.Headers.Location?.OriginalString ?? "");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/keys")).StatusCode);
        return (browser, As(invitation.User.Id, email, role));
    }

    public static Task<List<AuditEntry>> AuditAsync(AppFactory app, string action) =>
        app.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.Action == action).OrderBy(e => e.Id).ToListAsync());

    public static Task<ApplicationUser?> FindAsync(AppFactory app, string email) =>
        app.WithServiceAsync<ApplicationUser?, UserManager<ApplicationUser>>(users => users.FindByEmailAsync(email));
}
