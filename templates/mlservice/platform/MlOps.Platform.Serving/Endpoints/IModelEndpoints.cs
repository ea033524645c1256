namespace MlOps.Platform.Serving.Endpoints;

/// <summary>
/// Routes that another platform library adds under <c>/v1/models</c> when its services are registered (the
/// prediction log's feedback route). <see cref="PredictionEndpoints.MapPredictionEndpoints"/> maps every
/// registered one into its own group, so they get the same service protections and the same requirements,
/// such as <c>RequireApiKey()</c>, as the predict route.
/// </summary>
public interface IModelEndpoints
{
    /// <summary>Maps the routes, relative to <c>/v1/models</c>.</summary>
    void Map(IEndpointRouteBuilder models);
}
