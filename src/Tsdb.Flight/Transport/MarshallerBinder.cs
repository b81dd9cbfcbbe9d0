using Grpc.Core;

namespace Tsdb.Flight.Transport;

/// <summary>
/// Passes the generated service's methods to Grpc.AspNetCore's binder with <see cref="FlightMarshallers"/> in place of
/// the generated marshallers: the service keeps its generated base class and signatures, the wire gets the custom
/// FlightData path.
/// </summary>
internal sealed class MarshallerBinder(ServiceBinderBase inner) : ServiceBinderBase
{
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Swap(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Swap(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Swap(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Swap(method), handler);

    private static Method<TRequest, TResponse> Swap<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class =>
        new(method.Type, method.ServiceName, method.Name, MarshallerFor<TRequest>(method.RequestMarshaller), MarshallerFor<TResponse>(method.ResponseMarshaller));

    private static Marshaller<T> MarshallerFor<T>(Marshaller<T> generated) where T : class
    {
        if (typeof(T) == typeof(Protocol.FlightData))
        {
            return (Marshaller<T>)(object)FlightMarshallers.FlightData;
        }
        // Every other Flight message is generated protobuf with a static Parser.
        var parser = typeof(T).GetProperty("Parser")?.GetValue(null);
        return parser is null ? generated : (Marshaller<T>)typeof(FlightMarshallers).GetMethod(nameof(FlightMarshallers.For))!.MakeGenericMethod(typeof(T)).Invoke(null, [parser])!;
    }
}
