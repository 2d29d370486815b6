using System;
using System.Collections;
using System.Collections.Generic;

namespace AsyncCombinators.Internal;

/// <summary>
/// A read-only view of part of an array: Wait's Done and Pending share one array. Only Wait makes them, so their elements
/// are distinct and never <see langword="null"/>: passing one back to Wait or AsCompleted (the asyncio loop
/// <c>while pending: done, pending = await wait(pending)</c>) is a plain copy, with no duplicate check.
/// <see cref="ICollection{T}"/> (read-only, as <see cref="System.Collections.ObjectModel.ReadOnlyCollection{T}"/> is)
/// lets <c>new List&lt;T&gt;(pending)</c>, <c>ToArray()</c> and <c>Task.WhenAll(pending)</c> copy it in one step.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class ReadOnlySegment<T> : IReadOnlyList<T>, ICollection<T>
{
    /// <summary>The empty segment, shared.</summary>
    public static readonly ReadOnlySegment<T> Empty = new(Array.Empty<T>(), 0, 0);

    /// <summary>The array that holds the elements.</summary>
    private readonly T[] _array;

    /// <summary>The index in <see cref="_array"/> of the first element.</summary>
    private readonly int _offset;

    public ReadOnlySegment(T[] array, int offset, int count)
    {
        _array = array;
        _offset = offset;
        Count = count;
    }

    public int Count { get; }

    bool ICollection<T>.IsReadOnly => true;

    public T this[int index] => (uint)index < (uint)Count ? _array[_offset + index] : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<T> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return _array[_offset + i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Contains(T item) => Array.IndexOf(_array, item, _offset, Count) >= 0;

    public void CopyTo(T[] array, int arrayIndex)
    {
        ThrowHelper.ThrowIfNull(array, nameof(array));
        if ((uint)arrayIndex > (uint)array.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(arrayIndex), arrayIndex, "The index must be within the destination array.");
        }

        if (array.Length - arrayIndex < Count)
        {
            throw new ArgumentException("The destination array is too small.", nameof(array));
        }

        Array.Copy(_array, _offset, array, arrayIndex, Count);
    }

    /// <summary>A new array with the elements; <see cref="Array.Empty{T}"/> if there are none.</summary>
    public T[] ToArray()
    {
        if (Count == 0)
        {
            return Array.Empty<T>();
        }

        var copy = new T[Count];
        Array.Copy(_array, _offset, copy, 0, Count);
        return copy;
    }

    void ICollection<T>.Add(T item) => throw ReadOnly();

    void ICollection<T>.Clear() => throw ReadOnly();

    bool ICollection<T>.Remove(T item) => throw ReadOnly();

    private static NotSupportedException ReadOnly() => new("The collection is read-only.");
}
