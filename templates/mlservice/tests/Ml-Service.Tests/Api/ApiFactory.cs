namespace Ml_Service.Tests.Api;

/// <summary>This repository's API in memory, serving its models trained from the sample data (see <see cref="ServiceFactory{TEntryPoint}"/>).</summary>
public class ApiFactory : ServiceFactory<Program>;
