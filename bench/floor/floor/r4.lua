rule(require "floor"(4))
