using System.ComponentModel.DataAnnotations;

namespace KeysDashboard.Keys;

internal sealed class KeyOptions
{
    public const string Section = "Keys";

    /// <summary>Prepended to every new secret so that people and leak scanners recognise it.</summary>
    [Required(ErrorMessage = "Keys:Prefix is required.")]
    [RegularExpression("^[A-Za-z0-9_-]{1,16}$", ErrorMessage = "Keys:Prefix must be 1 to 16 of A-Z, a-z, 0-9, '_' and '-'.")]
    public string Prefix { get; set; } = "kd_";

    /// <summary>How often an open keys page refreshes itself (last used, status); 0 turns it off.</summary>
    [Range(0, 3600, ErrorMessage = "Keys:DashboardRefreshSeconds must be from 0 (off) to 3600.")]
    public int DashboardRefreshSeconds { get; set; } = 5;
}
