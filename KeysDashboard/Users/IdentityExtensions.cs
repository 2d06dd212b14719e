using KeysDashboard.Components.Account;
using KeysDashboard.Data;
using KeysDashboard.Users;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;

namespace Microsoft.AspNetCore.Builder;

internal static class IdentityExtensions
{
    public const int MinimumPasswordLength = 12;
    public const int MaxFailedSignIns = 5;

    public static WebApplicationBuilder AddDashboardIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.AddAuthorization();

        services.AddIdentityCore<ApplicationUser>(ConfigureIdentity)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ApplicationDbContext>()
            .AddSignInManager<GuardedSignInManager>()
            .AddDefaultTokenProviders();
        services.AddSingleton<SignInTurns>();
        services.AddSingleton<UnknownAccountAttempts>();
        services.AddOptions<SignInLimitOptions>().BindConfiguration(SignInLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(limiter => limiter.AddPolicy<string, SignInRateLimitPolicy>(SignInRateLimitPolicy.Name));

        // Sessions live on the server and the cookie holds only their id, so signing out ends that cookie at
        // once. (Checking the security stamp on every request instead raced: a request still carrying the old
        // cookie, sent while a page rotated the stamp, could clear the fresh one and sign the user out.)
        services.AddServerSideSignInSessions();
        return builder;
    }

    /// <summary>
    /// Identity's rules. The schema version also shapes the EF model (Version3 adds passkeys), so anything that
    /// builds ApplicationDbContext outside the app, like component tests, must configure the same.
    /// </summary>
    public static void ConfigureIdentity(IdentityOptions options)
    {
        // Length over composition rules (NIST SP 800-63B): 12 characters, anything goes.
        options.Password.RequiredLength = MinimumPasswordLength;
        options.Password.RequireDigit = false;
        options.Password.RequireLowercase = false;
        options.Password.RequireUppercase = false;
        options.Password.RequireNonAlphanumeric = false;
        options.Password.RequiredUniqueChars = 1;
        options.Lockout.MaxFailedAccessAttempts = MaxFailedSignIns;
        options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
        options.Lockout.AllowedForNewUsers = true;
        options.User.RequireUniqueEmail = true;
        options.SignIn.RequireConfirmedAccount = false;
        options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
    }
}
