using System;
using System.Collections;
using System.Collections.Generic;

namespace AsyncCombinators.Internal;

/// <summary>A read-only view of part of an array: Wait's Done and Pending share one array.</summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class ReadOnlySegment<T> : IReadOnlyList<T>
{
    public static readonly ReadOnlySegment<T> Empty = new(Array.Empty<T>(), 0, 0);

    private readonly T[] _array;
    private readonly int _offset;

    public ReadOnlySegment(T[] array, int offset, int count)
    {
        _array = array;
        _offset = offset;
        Count = count;
    }

    public int Count { get; }

    public T this[int index] => (uint)index < (uint)Count ? _array[_offset + index] : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<T> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return _array[_offset + i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
