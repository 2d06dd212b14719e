using KeysDashboard.Access;
using KeysDashboard.Users;
using Microsoft.AspNetCore.Identity;

namespace Microsoft.AspNetCore.Builder;

internal static class UsersExtensions
{
    /// <summary>
    /// How long a set-password link works: exactly 24 hours. It is Identity's password-reset token
    /// (DataProtectorTokenProvider, here <see cref="SetPasswordTokenProvider"/> on the app's clock), so this is that
    /// provider's lifespan, which also bounds any other data-protection token Identity issues.
    /// </summary>
    public static readonly TimeSpan SetPasswordLinkLifetime = TimeSpan.FromHours(24);

    public static WebApplicationBuilder AddUsers(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<UsersOptions>().BindConfiguration(UsersOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.RequireTwoFactorRoles.All(r => AccessTable.IsRole(r?.Trim())),
                "Users:RequireTwoFactorRoles may only name roles: " + string.Join(", ", AccessTable.RoleNames) + ".")
            .ValidateOnStart();
        builder.Services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = SetPasswordLinkLifetime);
        // Password-reset tokens (set-password links) come from Identity's data-protection provider on the app's clock.
        builder.Services.Configure<IdentityOptions>(o =>
        {
            o.Tokens.ProviderMap[SetPasswordTokenProvider.ProviderName] = new TokenProviderDescriptor(typeof(SetPasswordTokenProvider));
            o.Tokens.PasswordResetTokenProvider = SetPasswordTokenProvider.ProviderName;
        });
        builder.Services.AddTransient<SetPasswordTokenProvider>();
        builder.Services.AddScoped<UserService>();
        return builder;
    }

    /// <summary>
    /// A person whose role requires two-factor sign-in (Users:RequireTwoFactorRoles) and who has not turned it on
    /// is sent to the authenticator set-up from every dashboard page. Their actions are refused by
    /// <see cref="DashboardActor"/> in any case; this only shows them the way.
    /// </summary>
    public static IApplicationBuilder UseTwoFactorRequirement(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (TwoFactorRequirement.AppliesTo(context) && await TwoFactorRequirement.IsMissingAsync(context))
            {
                context.Response.Redirect(TwoFactorRequirement.SetUpPath);
                return;
            }
            await next(context);
        });
}
