using Microsoft.AspNetCore.Identity;

namespace KeysDashboard.Data;

/// <summary>A person who signs in to the dashboard. Their role (Admin, Support, Auditor) is an Identity role.</summary>
public class ApplicationUser : IdentityUser
{
    /// <summary>When they last signed in (UTC); null if never, for a person invited but not yet signed in.</summary>
    public DateTime? LastSignInAt { get; set; }

    /// <summary>When the account was made (UTC).</summary>
    public DateTime? CreatedAt { get; set; }
}
