using System.ComponentModel.DataAnnotations;

namespace KeysDashboard.SecretScanning;

/// <summary>
/// GitHub's secret scanning partner program: GitHub posts secrets it found in public code to
/// <c>POST /api/v2/secret-scanning/github</c>. Off until an operator has enrolled this instance's prefix with GitHub.
/// </summary>
internal sealed class GitHubSecretScanningOptions
{
    public const string Section = "SecretScanning:GitHub";

    /// <summary>Off: the endpoint answers 404, as if it did not exist.</summary>
    public bool Enabled { get; set; }

    /// <summary>GitHub's document of the keys it signs alerts with; tests serve their own.</summary>
    [Required(ErrorMessage = "SecretScanning:GitHub:PublicKeysUrl is required.")]
    [Url(ErrorMessage = "SecretScanning:GitHub:PublicKeysUrl must be an absolute URL.")]
    public string PublicKeysUrl { get; set; } = "https://api.github.com/meta/public_keys/secret_scanning";

    /// <summary>How long a fetched key set is trusted before it is fetched again.</summary>
    [Range(1, 1440, ErrorMessage = "SecretScanning:GitHub:CacheMinutes must be from 1 to 1440.")]
    public int CacheMinutes { get; set; } = 60;
}
