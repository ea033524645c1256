namespace MlOps.Platform.Tests;

/// <summary>
/// The data files of statsmodels as its Debian package (python3-statsmodels, BSD-3-Clause) installs them: real
/// public datasets, each with its source and copyright in the <c>data.py</c> beside it (anes96 and modechoice public domain; fair, ccard and star98 included with their authors' permission), read exactly as shipped.
/// </summary>
public static class Statsmodels
{
    private const string Folder = "/usr/lib/python3/dist-packages/statsmodels/datasets";

    /// <summary>The path of a dataset's file (<c>fair/fair.csv</c>); a clear failure when the package is missing.</summary>
    public static string Path(string relative)
    {
        var path = System.IO.Path.Combine(Folder, relative);
        return File.Exists(path) ? path : throw new FileNotFoundException(
            $"{path} is missing: install the Debian package python3-statsmodels (build/install-test-tools.sh does).", path);
    }
}
