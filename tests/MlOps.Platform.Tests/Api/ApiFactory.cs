namespace MlOps.Platform.Tests.Api;

/// <summary>The golden-path API in memory, serving the template's sample models (see <see cref="ServiceFactory{TEntryPoint}"/>).</summary>
public class ApiFactory : ServiceFactory<Program>;
