using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace KeysDashboard.Data;

/// <summary>
/// The data directory holds the key hashes and the Data Protection key ring: only the account the app runs as may
/// read it (0700 folders, 0600 files on Unix; Windows folders inherit their ACLs, which are left alone).
/// </summary>
internal static class OwnerOnlyFiles
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder owner-only, and tightens one that an older version created open.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        Directory.CreateDirectory(path, DirectoryMode);
        File.SetUnixFileMode(path, DirectoryMode);
    }

    /// <summary>Makes existing files owner-only; missing ones are skipped.</summary>
    public static void Tighten(params IEnumerable<string> paths)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        foreach (var path in paths.Where(File.Exists))
        {
            File.SetUnixFileMode(path, FileMode);
        }
    }
}

/// <summary>The file key ring, with every key file owner-only as soon as it is written.</summary>
internal sealed class OwnerOnlyXmlRepository(DirectoryInfo directory, ILoggerFactory loggerFactory)
    : FileSystemXmlRepository(directory, loggerFactory)
{
    public override void StoreElement(XElement element, string friendlyName)
    {
        base.StoreElement(element, friendlyName);
        OwnerOnlyFiles.Tighten(System.IO.Directory.EnumerateFiles(Directory.FullName, "*.xml"));
    }
}

/// <summary>
/// DataProtection:CertificatePath (a .pfx with its private key) and DataProtection:CertificatePassword: when set,
/// every key in the ring is encrypted with the certificate, so a copy of the data directory alone cannot
/// decrypt anything the keys protect.
/// </summary>
internal static class KeyRingCertificate
{
    public static void ProtectKeysIfConfigured(IDataProtectionBuilder dataProtection, IConfiguration configuration)
    {
        if (configuration["DataProtection:CertificatePath"] is not { Length: > 0 } path)
        {
            return;
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, configuration["DataProtection:CertificatePassword"]);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"DataProtection:CertificatePath: cannot load the certificate '{path}' ({e.Message}). It must be a PKCS#12 (.pfx) file " +
                "with its private key; set DataProtection:CertificatePassword if it has a password.", e);
        }
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException(
                $"DataProtection:CertificatePath: the certificate '{path}' has no private key, so the key ring could not be read back.");
        }
        dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
    }
}
