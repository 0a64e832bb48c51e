rule(require "floor"(3))
