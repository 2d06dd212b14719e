using System.ComponentModel.DataAnnotations;

namespace KeysDashboard.Users;

/// <summary>The <c>Users</c> settings.</summary>
internal sealed class UsersOptions
{
    public const string Section = "Users";

    /// <summary>
    /// Roles whose people must turn on two-factor sign-in before they may use the dashboard, e.g. ["Admin"].
    /// Until they do, every page sends them to the authenticator set-up and every action is refused.
    /// </summary>
    public string[] RequireTwoFactorRoles { get; set; } = [];

    /// <summary>
    /// How often an open dashboard tab re-checks that its person still exists, is not locked, holds the same role
    /// and the same security stamp; a failed check signs the tab out. Actions are checked at once regardless.
    /// </summary>
    [Range(1, 3600, ErrorMessage = "Users:RevalidationSeconds must be from 1 to 3600.")]
    public int RevalidationSeconds { get; set; } = 5;

    public bool RequiresTwoFactor(string? role) =>
        role is not null && RequireTwoFactorRoles.Any(r => string.Equals(r?.Trim(), role, StringComparison.OrdinalIgnoreCase));
}
