package io.mezzo.load;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** The load generator's event loops: native epoll when the OS offers it, NIO otherwise. */
final class Transports {
  static final boolean EPOLL = Epoll.isAvailable();

  private Transports() {}

  static EventLoopGroup group(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("load", true),
        EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  static Class<? extends SocketChannel> clientChannel() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
